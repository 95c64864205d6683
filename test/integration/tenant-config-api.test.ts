import { execFileSync } from 'node:child_process';
import type { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { flowSchema } from '../../domain/flow';
import { errorBody, startedSession } from '../../api/openapi';
import { flowVersionView, importReport, sessionView } from '../../api/views';
import { collections } from '../../stores/collections';
import { call, operatorTenant, testOperatorToken } from '../support/api-client';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';

const operatorToken = testOperatorToken;
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: operatorToken });
});
afterAll(async () => {
  await engine.close();
});

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(engine.app, method, path, options);

const newTenant = () =>
  operatorTenant(engine.app, { flow: { locale: 'en', timeouts: { idleWarnMs: 60_000 } } });
const fields = (answer: { body: unknown }) =>
  (errorBody.parse(answer.body).error.fields ?? []).map((f) => f.path);

describe('versioned flow', () => {
  it('when the flow changes and rolls back, then each change is a new version and the history lists them', async () => {
    const { adminKey } = await newTenant();
    const v1 = flowVersionView.parse((await api('GET', '/api/v1/flow', { token: adminKey })).body);
    expect(v1).toMatchObject({
      version: 1,
      flow: { locale: 'en', timeouts: { idleWarnMs: 60_000 } },
    });

    const v2 = await api('PUT', '/api/v1/flow', {
      token: adminKey,
      body: { flow: { locale: 'en', timeouts: { idleWarnMs: 120_000 } }, note: 'slower' },
    });
    expect(v2.status).toBe(201);
    expect(flowVersionView.parse(v2.body)).toMatchObject({ version: 2, note: 'slower' });

    const back = await api('POST', '/api/v1/flow/rollback', {
      token: adminKey,
      body: { version: 1 },
    });
    expect(back.status).toBe(201);
    expect(flowVersionView.parse(back.body)).toMatchObject({
      version: 3,
      rolledBackFrom: 1,
      flow: { timeouts: { idleWarnMs: 60_000 } },
    });
    const history = await api('GET', '/api/v1/flow/versions', { token: adminKey });
    expect(history.body).toMatchObject({
      items: [{ version: 3 }, { version: 2, note: 'slower' }, { version: 1 }],
    });
    expect((await api('GET', '/api/v1/flow/versions/2', { token: adminKey })).body).toMatchObject({
      flow: { timeouts: { idleWarnMs: 120_000 } },
    });
    expect((await api('GET', '/api/v1/flow/versions/9', { token: adminKey })).status).toBe(404);
    expect(
      (await api('POST', '/api/v1/flow/rollback', { token: adminKey, body: { version: 9 } }))
        .status,
    ).toBe(404);
  });

  it('when a flow change is invalid, then 400 names the field and no version is added', async () => {
    const { tenantId, adminKey } = await newTenant();
    const bad = await api('PUT', '/api/v1/flow', {
      token: adminKey,
      body: { flow: { timeouts: { idleWarnMs: 5 }, robot: { colour: 'red' } } },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(
      expect.arrayContaining(['flow.timeouts.idleWarnMs', 'flow.robot.colour']),
    );
    expect(await collections(engine.db).flowVersions.countDocuments({ tenantId })).toBe(1);
  });

  it('when the flow is patched, then only the named fields change (null removes one, arrays replace) and a bad result is 400 with no version', async () => {
    const { tenantId, adminKey } = await newTenant();
    const rules = [{ when: { entryTypes: ['order'] }, groupId: 'after-sale', priority: 3 }];
    for (const group of ['sales', 'after-sale']) {
      await api('PUT', `/api/v1/groups/${group}`, { token: adminKey, body: {} });
    }
    await api('PUT', '/api/v1/flow', {
      token: adminKey,
      body: { flow: { locale: 'en', routing: { defaultGroupId: 'sales', rules } } },
    });
    const patched = await api('PATCH', '/api/v1/flow', {
      token: adminKey,
      body: { flow: { timeouts: { idleWarnMs: 120_000 } }, note: 'slower idle warning' },
    });
    expect(patched.status).toBe(201);
    const v3 = flowVersionView.parse(patched.body);
    expect(v3).toMatchObject({ version: 3, note: 'slower idle warning' });
    expect(v3.flow.timeouts.idleWarnMs).toBe(120_000);
    expect(v3.flow.routing).toMatchObject({ defaultGroupId: 'sales', rules });
    // null takes a key back to its default; an array is replaced whole.
    const v4 = flowVersionView.parse(
      (
        await api('PATCH', '/api/v1/flow', {
          token: adminKey,
          body: { flow: { timeouts: { idleWarnMs: null }, routing: { rules: [] } } },
        })
      ).body,
    );
    expect(v4.flow.timeouts.idleWarnMs).toBe(flowSchema.parse({}).timeouts.idleWarnMs);
    expect(v4.flow.routing).toMatchObject({ defaultGroupId: 'sales', rules: [] });
    const bad = await api('PATCH', '/api/v1/flow', {
      token: adminKey,
      body: { flow: { timeouts: { idleWarnMs: 5 } } },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['flow.timeouts.idleWarnMs']);
    expect(await collections(engine.db).flowVersions.countDocuments({ tenantId })).toBe(4);
  });

  it('when a session started on v1 and the flow moves to v2, then the session keeps v1 and its timeouts', async () => {
    const { tenantId, adminKey } = await newTenant();
    const opened = await api('POST', '/api/v1/sessions', {
      body: { tenantId, channel: 'web', entry: { type: 'shop' } },
    });
    const { sessionId, workflowId } = startedSession.parse(opened.body);
    const projected = await eventually(async () => {
      const answer = await api('GET', `/api/v1/sessions/${sessionId}`, { token: adminKey });
      return answer.status === 200 ? sessionView.parse(answer.body) : undefined;
    });
    expect(projected.flowVersion).toBe(1);

    await api('PUT', '/api/v1/flow', {
      token: adminKey,
      body: { flow: { locale: 'en', timeouts: { idleWarnMs: 120_000 } } },
    });
    const later = sessionView.parse(
      (await api('GET', `/api/v1/sessions/${sessionId}`, { token: adminKey })).body,
    );
    expect(later.flowVersion).toBe(1);
    const kept = flowVersionView.parse(
      (await api('GET', `/api/v1/flow/versions/${later.flowVersion}`, { token: adminKey })).body,
    );
    expect(kept.flow.timeouts.idleWarnMs).toBe(60_000);
    // The workflow runs on the snapshot its first activity returned, recorded in its history
    // once the workflow task that ran it completes (the projection can appear a little sooner).
    const results = await eventually(async () => {
      const found = recordedResults(
        await engine.temporal.client.workflow.getHandle(workflowId).fetchHistory(),
      );
      return found.length ? found : undefined;
    });
    expect(results[0]).toMatchObject({ flowVersion: 1, timeouts: { idleWarnMs: 60_000 } });
    await engine.temporal.client.workflow.getHandle(workflowId).terminate('test done');
  });
});

/** Activity results in a history, in order: completed activities and local-activity markers. */
function recordedResults(history: temporal.api.history.v1.IHistory): unknown[] {
  return (history.events ?? []).flatMap((event) =>
    // Local activities record their result in a marker; void results carry no data.
    [
      ...(event.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
      ...(event.markerRecordedEventAttributes?.details?.result?.payloads ?? []),
    ]
      .filter((payload) => (payload.data?.length ?? 0) > 0)
      .map((payload) => JSON.parse(Buffer.from(payload.data ?? []).toString('utf8')) as unknown),
  );
}

describe('working hours', () => {
  const schedule = {
    timeZone: 'Asia/Shanghai',
    weekly: { mon: [{ start: '09:00', end: '18:00' }] },
  };

  it('when a schedule is added twice for the same group and kind, then the second is 409 and PUT replaces it', async () => {
    const { adminKey } = await newTenant();
    await api('PUT', '/api/v1/groups/sales', { token: adminKey, body: {} });
    const first = await api('POST', '/api/v1/working-hours', {
      token: adminKey,
      body: { groupId: 'sales', schedule },
    });
    expect(first.status).toBe(201);
    const again = await api('POST', '/api/v1/working-hours', {
      token: adminKey,
      body: { groupId: 'sales', schedule },
    });
    expect(again.status).toBe(409);
    const replaced = await api('PUT', '/api/v1/working-hours/sales/reception', {
      token: adminKey,
      body: { schedule: { ...schedule, timeZone: 'Europe/Paris' } },
    });
    expect(replaced.status).toBe(200);
    expect((await api('GET', '/api/v1/working-hours', { token: adminKey })).body).toMatchObject({
      items: [{ groupId: 'sales', kind: 'reception', schedule: { timeZone: 'Europe/Paris' } }],
    });
    expect(
      (await api('DELETE', '/api/v1/working-hours/sales/reception', { token: adminKey })).status,
    ).toBe(204);
    expect(
      (await api('GET', '/api/v1/working-hours/sales/reception', { token: adminKey })).status,
    ).toBe(404);
  });

  it('when a schedule is invalid, then 400 names the field', async () => {
    const { adminKey } = await newTenant();
    const bad = await api('POST', '/api/v1/working-hours', {
      token: adminKey,
      body: {
        schedule: {
          timeZone: 'Asia/Shanghai',
          weekly: { mon: [{ start: '25:00', end: '18:00' }] },
        },
      },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['schedule.weekly.mon.0.start']);
  });
});

describe('FAQ', () => {
  it('when an entry is added, read, replaced and removed, then each step answers as documented', async () => {
    const { adminKey } = await newTenant();
    const added = await api('POST', '/api/v1/faqs', {
      token: adminKey,
      body: { question: 'When do you ship?', answer: 'In 48 hours.' },
    });
    expect(added.status).toBe(201);
    const { id } = added.body as { id: string };
    expect((await api('GET', `/api/v1/faqs/${id}`, { token: adminKey })).body).toMatchObject({
      answer: 'In 48 hours.',
    });
    const replaced = await api('PUT', `/api/v1/faqs/${id}`, {
      token: adminKey,
      body: { question: 'When do you ship?', answer: 'Today.' },
    });
    expect(replaced.body).toMatchObject({ id, answer: 'Today.' });
    expect((await api('DELETE', `/api/v1/faqs/${id}`, { token: adminKey })).status).toBe(204);
    expect((await api('GET', `/api/v1/faqs/${id}`, { token: adminKey })).status).toBe(404);
  });

  it('when a CSV import has bad rows, then it is refused whole with a per-row report, or imports the good rows with skip', async () => {
    const { tenantId, adminKey } = await newTenant();
    const csv = 'question,answer\nShip?,48 hours\n,missing question\nReturn?,7 days\n';
    const refused = await api('POST', '/api/v1/faqs/import', {
      token: adminKey,
      body: { format: 'csv', csv },
    });
    expect(refused.status).toBe(422);
    expect(errorBody.parse(refused.body).error.rows).toEqual([
      expect.objectContaining({ row: 3, path: 'question' }),
    ]);
    expect(await collections(engine.db).faqs.countDocuments({ tenantId })).toBe(0);

    const skipped = await api('POST', '/api/v1/faqs/import', {
      token: adminKey,
      body: { format: 'csv', csv, onError: 'skip' },
    });
    expect(skipped.status).toBe(201);
    const report = importReport.parse(skipped.body);
    expect(report.imported).toBe(2);
    expect(report.rows).toEqual([expect.objectContaining({ row: 3 })]);

    const json = await api('POST', '/api/v1/faqs/import', {
      token: adminKey,
      body: { format: 'json', entries: [{ question: 'Pay?', answer: 'Card.' }] },
    });
    expect(importReport.parse(json.body).imported).toBe(1);
    expect(await collections(engine.db).faqs.countDocuments({ tenantId })).toBe(3);
  });
});

describe('Idempotency-Key', () => {
  it('when a POST is repeated with the same key, then the first answer is replayed and one entry exists; a different body is 422', async () => {
    const { tenantId, adminKey } = await newTenant();
    const body = { question: 'Gift wrap?', answer: 'Yes.' };
    const headers = { 'idempotency-key': uniqueId('key') };
    const first = await api('POST', '/api/v1/faqs', { token: adminKey, body, headers });
    const second = await api('POST', '/api/v1/faqs', { token: adminKey, body, headers });
    expect(second).toEqual(first);
    expect(await collections(engine.db).faqs.countDocuments({ tenantId })).toBe(1);
    const other = await api('POST', '/api/v1/faqs', {
      token: adminKey,
      body: { ...body, answer: 'No.' },
      headers,
    });
    expect(other.status).toBe(422);
    expect(await collections(engine.db).faqs.countDocuments({ tenantId })).toBe(1);
  });

  it('when two tenants, and two keys of one tenant, use the same key for different requests, then each gets its own answer', async () => {
    const a = await newTenant();
    const b = await newTenant();
    const secondKey = await api('POST', '/api/v1/api-keys', {
      token: a.adminKey,
      body: { name: 'second', role: 'admin' },
    });
    expect(secondKey.status).toBe(201);
    const { key: aSecond } = z.object({ key: z.string() }).parse(secondKey.body);
    const headers = { 'idempotency-key': uniqueId('shared-key') };
    const post = (token: string, answer: string) =>
      api('POST', '/api/v1/faqs', { token, body: { question: 'Returns?', answer }, headers });
    expect((await post(a.adminKey, 'A: 7 days')).status).toBe(201);
    expect((await post(b.adminKey, 'B: 30 days')).status).toBe(201);
    expect((await post(aSecond, 'A: 14 days')).status).toBe(201);
    const answers = async (tenantId: string) =>
      (await collections(engine.db).faqs.find({ tenantId }).toArray()).map((f) => f.answer).sort();
    expect(await answers(a.tenantId)).toEqual(['A: 14 days', 'A: 7 days']);
    expect(await answers(b.tenantId)).toEqual(['B: 30 days']);
  });

  it('when a POST with a key fails validation, then nothing is kept and the key can be used again', async () => {
    const { tenantId, adminKey } = await newTenant();
    const headers = { 'idempotency-key': uniqueId('key') };
    const bad = await api('POST', '/api/v1/faqs', {
      token: adminKey,
      body: { question: 'x' },
      headers,
    });
    expect(bad.status).toBe(400);
    const good = await api('POST', '/api/v1/faqs', {
      token: adminKey,
      body: { question: 'x', answer: 'y' },
      headers,
    });
    expect(good.status).toBe(201);
    expect(await collections(engine.db).faqs.countDocuments({ tenantId })).toBe(1);
  });
});

describe('OpenAPI document', () => {
  it('when served, then it is a valid OpenAPI 3.1 document listing every route express answers', async () => {
    const answer = await api('GET', '/api/v1/openapi.json');
    // The validator is an ES module; it runs in its own Node process.
    const script =
      "import('@seriousme/openapi-schema-validator').then(async ({ Validator }) => {" +
      'const chunks = []; for await (const c of process.stdin) chunks.push(c);' +
      'const result = await new Validator().validate(JSON.parse(Buffer.concat(chunks).toString()));' +
      'process.stdout.write(JSON.stringify(result)); })';
    const result = JSON.parse(
      execFileSync(process.execPath, ['-e', script], {
        input: JSON.stringify(answer.body),
        cwd: process.cwd(),
      }).toString(),
    ) as { valid: boolean; errors?: unknown };
    expect(result).toEqual({ valid: true });
    const doc = answer.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const apiRoutes = engine.app
      .routes()
      .filter((r) => r.path.startsWith('/api/') || r.path.endsWith('z'));
    expect(apiRoutes.length).toBeGreaterThan(30);
    const missing = apiRoutes.filter(
      (r) => !doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method],
    );
    expect(missing).toEqual([]);
  });
});
