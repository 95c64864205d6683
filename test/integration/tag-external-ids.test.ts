import { errorBody } from '../../api/openapi';
import { createdTenant } from '../../api/views';
import type { DomainEvent, EventType } from '../../domain/events';
import { eventFeed } from '../../events/feed';
import { collections } from '../../stores/collections';
import { sessionStore } from '../../stores/sessions';
import { call, testOperatorToken } from '../support/api-client';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';

/**
 * Tags' ids on other platforms: mapped per tag and platform, one tag per
 * external id, and customers' tags read and set by those ids, one at a time
 * or as a bulk import reported per row.
 */
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
});
afterAll(async () => {
  await engine.close();
});

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(engine.app, method, path, options);
const error = (answer: { body: unknown }) => errorBody.parse(answer.body).error;

/** A tenant with an admin key, an integration key, a tag group, customer tags `vip` (manual), `gold` and `silver` (external) and session tag `refund` (manual). */
async function taggedTenant() {
  const tenantId = uniqueId('tenant');
  const created = await api('POST', '/api/v1/tenants', {
    token: testOperatorToken,
    body: { tenantId, name: 'Shop' },
  });
  const adminKey = createdTenant.parse(created.body).adminKey.key;
  const integration = await api('POST', '/api/v1/api-keys', {
    token: adminKey,
    body: { name: 'erp', role: 'integration' },
  });
  const integrationKey = (integration.body as { key: string }).key;
  await api('POST', '/api/v1/tag-groups', {
    token: adminKey,
    body: { groupId: 'service', name: 'Service' },
  });
  for (const [tagId, kind, target] of [
    ['vip', 'manual', 'customer'],
    ['gold', 'external', 'customer'],
    ['silver', 'external', 'customer'],
    ['refund', 'manual', 'session'],
  ] as const) {
    const made = await api('POST', '/api/v1/tags', {
      token: adminKey,
      body: { tagId, groupId: 'service', name: tagId, target, kind },
    });
    expect(made.status).toBe(201);
  }
  return { tenantId, adminKey, integrationKey };
}

/** A customer: a visitor with a session projection, as the worker writes it. */
async function customer(tenantId: string): Promise<string> {
  return (await consultation(tenantId)).visitorId;
}

async function consultation(tenantId: string): Promise<{ sessionId: string; visitorId: string }> {
  const visitorId = uniqueId('visitor');
  const sessionId = uniqueId('session');
  await sessionStore(engine.db).recordOpened(
    {
      tenantId,
      sessionId,
      visitor: { id: visitorId, tags: [] },
      channel: 'web',
      entry: { type: 'order' },
    },
    new Date(),
  );
  return { sessionId, visitorId };
}

async function tagEvents(tenantId: string): Promise<DomainEvent[]> {
  const feed = eventFeed(engine.db, { settleMs: 0, retentionDays: 30 });
  const types: EventType[] = ['tag.added', 'tag.removed'];
  const page = await feed.read(tenantId, { types, limit: 100 });
  return page.entries.map((e) => e.event);
}

const mapPath = (tagId: string, platform: string) =>
  `/api/v1/tags/${tagId}/external-ids/${platform}`;

describe('tag external ids', () => {
  it('when a tag is given ids on two platforms, then they are listed, read back by external id, and one removed', async () => {
    const t = await taggedTenant();
    const as = { token: t.adminKey };
    expect(
      (await api('PUT', mapPath('gold', 'erp'), { ...as, body: { externalId: 'G 1/a' } })).status,
    ).toBe(200);
    const crm = await api('PUT', mapPath('gold', 'crm'), { ...as, body: { externalId: 'c-9' } });
    expect(crm.body).toEqual({
      tagId: 'gold',
      items: [
        { platform: 'crm', externalId: 'c-9' },
        { platform: 'erp', externalId: 'G 1/a' },
      ],
    });
    // A second PUT on a platform replaces the tag's id there.
    await api('PUT', mapPath('gold', 'crm'), { ...as, body: { externalId: 'c-10' } });

    const byId = await api(
      'GET',
      `/api/v1/tags/by-external-id/erp/${encodeURIComponent('G 1/a')}`,
      {
        token: t.integrationKey,
      },
    );
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ tagId: 'gold', kind: 'external' });
    expect((await api('GET', '/api/v1/tags/by-external-id/crm/c-9', as)).status).toBe(404);

    expect((await api('DELETE', mapPath('gold', 'erp'), as)).status).toBe(204);
    expect((await api('DELETE', mapPath('gold', 'erp'), as)).status).toBe(404);
    const listed = await api('GET', '/api/v1/tags/gold/external-ids', { token: t.integrationKey });
    expect(listed.body).toEqual({
      tagId: 'gold',
      items: [{ platform: 'crm', externalId: 'c-10' }],
    });
    expect((await api('GET', '/api/v1/tags/by-external-id/erp/G%201%2Fa', as)).status).toBe(404);
    expect(
      (await api('PUT', mapPath('nope', 'erp'), { ...as, body: { externalId: 'x' } })).status,
    ).toBe(404);
  });

  it('when an external id another tag holds is mapped, then 409 names the id and the holder, and the mapping is unchanged', async () => {
    const t = await taggedTenant();
    const as = { token: t.adminKey };
    await api('PUT', mapPath('gold', 'erp'), { ...as, body: { externalId: 'E-1' } });
    const taken = await api('PUT', mapPath('silver', 'erp'), {
      ...as,
      body: { externalId: 'E-1' },
    });
    expect(taken.status).toBe(409);
    expect(error(taken)).toMatchObject({
      code: 'conflict',
      fields: [{ path: 'externalId', message: 'held by tag gold' }],
      tagId: 'gold',
    });
    expect((await api('GET', '/api/v1/tags/silver/external-ids', as)).body).toEqual({
      tagId: 'silver',
      items: [],
    });
    // The same id on another platform is another id.
    expect(
      (await api('PUT', mapPath('silver', 'crm'), { ...as, body: { externalId: 'E-1' } })).status,
    ).toBe(200);
  });

  it('when two tags are mapped to one external id at once, then exactly one wins and the other is told which', async () => {
    const t = await taggedTenant();
    const as = { token: t.adminKey };
    const answers = await Promise.all(
      ['gold', 'silver', 'vip'].map((tagId) =>
        api('PUT', mapPath(tagId, 'erp'), { ...as, body: { externalId: 'RACE' } }),
      ),
    );
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    const winner = (won[0]?.body as { tagId: string }).tagId;
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost.status).toBe(409);
      expect(error(lost).tagId).toBe(winner);
    }
    const stored = await collections(engine.db)
      .tagExternalIds.find({ tenantId: t.tenantId, externalId: 'RACE' })
      .toArray();
    expect(stored.map((d) => d.tagId)).toEqual([winner]);
  });

  it('when a tag is deleted, then its external ids go with it and the id can name another tag', async () => {
    const t = await taggedTenant();
    const as = { token: t.adminKey };
    await api('PUT', mapPath('gold', 'erp'), { ...as, body: { externalId: 'E-1' } });
    expect((await api('DELETE', '/api/v1/tags/gold', as)).status).toBe(204);
    expect(
      await collections(engine.db).tagExternalIds.countDocuments({ tenantId: t.tenantId }),
    ).toBe(0);
    expect(
      (await api('PUT', mapPath('silver', 'erp'), { ...as, body: { externalId: 'E-1' } })).status,
    ).toBe(200);
  });

  it('when tenant A maps an external id, then tenant B neither sees it nor uses it, and maps the same id to its own tag', async () => {
    const a = await taggedTenant();
    const b = await taggedTenant();
    await api('PUT', mapPath('gold', 'erp'), { token: a.adminKey, body: { externalId: 'E-1' } });
    expect(
      (await api('GET', '/api/v1/tags/by-external-id/erp/E-1', { token: b.adminKey })).status,
    ).toBe(404);
    const visitorId = await customer(b.tenantId);
    const used = await api('PUT', `/api/v1/customers/${visitorId}/tags/by-external-id/erp/E-1`, {
      token: b.integrationKey,
    });
    expect(used.status).toBe(422);
    expect(error(used)).toMatchObject({
      code: 'invalid_reference',
      fields: [{ path: 'externalId' }],
    });
    const imported = await api('POST', '/api/v1/tags/external-assignments/import', {
      token: b.integrationKey,
      body: { platform: 'erp', rows: [{ visitorId, externalId: 'E-1' }] },
    });
    expect(imported.body).toMatchObject({ applied: 0, errors: 1 });
    expect(
      (
        await api('PUT', mapPath('silver', 'erp'), {
          token: b.adminKey,
          body: { externalId: 'E-1' },
        })
      ).status,
    ).toBe(200);
    const inA = await api('GET', '/api/v1/tags/by-external-id/erp/E-1', { token: a.adminKey });
    expect(inA.body).toMatchObject({ tagId: 'gold' });
  });

  it('when an integration tags a customer by external id, then the customer’s tags show it, and taking it off by external id removes it', async () => {
    const t = await taggedTenant();
    await api('PUT', mapPath('gold', 'erp'), { token: t.adminKey, body: { externalId: 'GOLD' } });
    const visitorId = await customer(t.tenantId);
    const path = `/api/v1/customers/${visitorId}/tags/by-external-id/erp/GOLD`;
    const put = await api('PUT', path, { token: t.integrationKey });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ visitorId, tags: ['gold'] });
    const read = await api('GET', `/api/v1/customers/${visitorId}/tags`, { token: t.adminKey });
    expect(read.body).toEqual({ visitorId, tags: ['gold'] });
    expect((await api('DELETE', path, { token: t.integrationKey })).body).toEqual({
      visitorId,
      tags: [],
    });
    const unknown = await api(
      'PUT',
      `/api/v1/customers/${visitorId}/tags/by-external-id/erp/NOPE`,
      {
        token: t.integrationKey,
      },
    );
    expect(unknown.status).toBe(422);
    expect(error(unknown).fields).toEqual([
      { path: 'externalId', message: 'no tag with erp id NOPE' },
    ]);
    const stranger = await api(
      'PUT',
      `/api/v1/customers/${uniqueId('visitor')}/tags/by-external-id/erp/GOLD`,
      {
        token: t.integrationKey,
      },
    );
    expect(stranger.status).toBe(404);
  });

  it('when a session is tagged by external id, then the session shows the tag, a customer tag or an unknown id is refused, and taking it off removes it', async () => {
    const t = await taggedTenant();
    const as = { token: t.adminKey };
    await api('PUT', mapPath('refund', 'erp'), { ...as, body: { externalId: 'R' } });
    await api('PUT', mapPath('gold', 'erp'), { ...as, body: { externalId: 'GOLD' } });
    const { sessionId } = await consultation(t.tenantId);
    const path = (id: string) => `/api/v1/sessions/${sessionId}/tags/by-external-id/erp/${id}`;
    expect((await api('PUT', path('R'), as)).body).toEqual({ sessionId, tags: ['refund'] });
    const customerTag = await api('PUT', path('GOLD'), as);
    expect(customerTag.status).toBe(422);
    expect(error(customerTag).code).toBe('wrong_target');
    const unknown = await api('PUT', path('NOPE'), as);
    expect(error(unknown)).toMatchObject({
      code: 'invalid_reference',
      fields: [{ path: 'externalId' }],
    });
    expect((await api('DELETE', path('R'), as)).body).toEqual({ sessionId, tags: [] });
    expect(
      (await api('PUT', `/api/v1/sessions/${uniqueId('s')}/tags/by-external-id/erp/R`, as)).status,
    ).toBe(404);
  });

  it('when an import mixes good and bad rows, then each row is reported, only the good ones are applied, and each applied add is one tag.added event', async () => {
    const t = await taggedTenant();
    const as = { token: t.adminKey };
    await api('PUT', mapPath('gold', 'erp'), { ...as, body: { externalId: 'GOLD' } });
    await api('PUT', mapPath('silver', 'erp'), { ...as, body: { externalId: 'SILVER' } });
    await api('PUT', mapPath('vip', 'erp'), { ...as, body: { externalId: 'VIP' } });
    const ann = await customer(t.tenantId);
    const bob = await customer(t.tenantId);
    const other = await taggedTenant();
    const foreign = await customer(other.tenantId);

    const answer = await api('POST', '/api/v1/tags/external-assignments/import', {
      token: t.integrationKey,
      body: {
        platform: 'erp',
        rows: [
          { visitorId: ann, externalId: 'GOLD' },
          { visitorId: ann, externalId: 'GOLD', action: 'add' },
          { visitorId: bob, externalId: 'SILVER' },
          { visitorId: bob, externalId: 'NOPE' },
          { visitorId: foreign, externalId: 'GOLD' },
          { visitorId: ann, externalId: 'VIP' },
          { visitorId: ann },
          'not a row',
          { visitorId: bob, externalId: 'GOLD', action: 'toggle' },
          { visitorId: bob, externalId: 'SILVER', action: 'remove' },
          { visitorId: bob, externalId: 'GOLD' },
        ],
      },
    });
    expect(answer.status).toBe(200);
    const report = answer.body as {
      applied: number;
      unchanged: number;
      errors: number;
      rows: { row: number; status: string; error?: { code: string; message: string } }[];
    };
    expect(report.rows.map((r) => [r.row, r.status, r.error?.code])).toEqual([
      [0, 'applied', undefined],
      [1, 'unchanged', undefined],
      [2, 'applied', undefined],
      [3, 'error', 'invalid_reference'],
      [4, 'error', 'invalid_reference'],
      // Integration keys set external tags; `vip` is set by people.
      [5, 'error', 'tag_not_settable'],
      [6, 'error', 'invalid_request'],
      [7, 'error', 'invalid_request'],
      [8, 'error', 'invalid_request'],
      [9, 'applied', undefined],
      [10, 'applied', undefined],
    ]);
    expect(report.rows[3]?.error?.message).toContain('externalId');
    expect(report.rows[4]?.error?.message).toContain('visitorId');
    expect(report.rows[6]?.error?.message).toContain('externalId');
    expect(report.rows[8]?.error?.message).toContain('action');
    expect(report).toMatchObject({ applied: 4, unchanged: 1, errors: 6 });

    const tagsOf = async (visitorId: string) =>
      (await api('GET', `/api/v1/customers/${visitorId}/tags`, as)).body;
    expect(await tagsOf(ann)).toEqual({ visitorId: ann, tags: ['gold'] });
    expect(await tagsOf(bob)).toEqual({ visitorId: bob, tags: ['gold'] });
    const events = await tagEvents(t.tenantId);
    expect(events.map((e) => [e.type, e.data.visitorId, e.data.tagId])).toEqual([
      ['tag.added', ann, 'gold'],
      ['tag.added', bob, 'silver'],
      ['tag.removed', bob, 'silver'],
      ['tag.added', bob, 'gold'],
    ]);
    expect(await tagEvents(other.tenantId)).toEqual([]);
  });

  it('when a body is not an import (rows not a list, too many rows, no platform), then 400 names the field and nothing is written', async () => {
    const t = await taggedTenant();
    await api('PUT', mapPath('gold', 'erp'), { token: t.adminKey, body: { externalId: 'GOLD' } });
    const visitorId = await customer(t.tenantId);
    const row = { visitorId, externalId: 'GOLD' };
    const cases: [unknown, string][] = [
      [{ platform: 'erp', rows: row }, 'rows'],
      [{ platform: 'erp', rows: Array.from({ length: 1001 }, () => row) }, 'rows'],
      [{ rows: [row] }, 'platform'],
      [{ platform: 'e r p', rows: [row] }, 'platform'],
    ];
    for (const [body, field] of cases) {
      const answer = await api('POST', '/api/v1/tags/external-assignments/import', {
        token: t.integrationKey,
        body,
      });
      expect(answer.status).toBe(400);
      expect((error(answer).fields ?? []).map((f) => f.path)).toContain(field);
    }
    expect(
      (await api('GET', `/api/v1/customers/${visitorId}/tags`, { token: t.adminKey })).body,
    ).toEqual({
      visitorId,
      tags: [],
    });
    expect(await tagEvents(t.tenantId)).toEqual([]);
  });
});
