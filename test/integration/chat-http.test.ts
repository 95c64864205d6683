import { createApp, type App } from '../../api/app';
import { errorBody, messagePage } from '../../api/openapi';
import { createLogger } from '../../runtime/logger';
import { collections } from '../../stores/collections';
import {
  agentSend,
  agentToken,
  connectAgent,
  desk,
  ok,
  openAssigned,
  visitorSend,
  type AgentSocket,
} from '../support/chat';
import {
  connectVisitor,
  startTestEngine,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { uniqueId } from '../support/stack';

/** The HTTP resync route and the shopper's send rate; answers checked against the OpenAPI schemas. */
let engine: TestEngine;
const sockets: (VisitorSocket | AgentSocket)[] = [];
beforeAll(async () => {
  engine = await startTestEngine({ VISITOR_SEND_LIMIT: 1000 });
});
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await engine.close();
});

const getMessages = async (app: Pick<App, 'url'>, path: string, token?: string) => {
  const response = await fetch(`${app.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as unknown };
};

describe('GET /api/v1/sessions/:sessionId/messages', () => {
  it('when the shopper, its agent or a supervisor asks, then pages come in order after the seq; anyone else is refused', async () => {
    const agentId = uniqueId('agent');
    const tenantId = await desk(engine, [agentId, 'other']);
    const mine = await openAssigned(engine, tenantId);
    const visitor = await connectVisitor(engine.app, mine.visitorToken);
    sockets.push(visitor);
    for (let i = 0; i < 5; i++) {
      ok(await visitorSend(visitor, { kind: 'text', clientMsgId: `m${i}`, text: `<i>${i}</i>` }));
    }
    const path = `/api/v1/sessions/${mine.sessionId}/messages`;
    const all = messagePage.parse((await getMessages(engine.app, path, mine.visitorToken)).body);
    const last = all.messages.at(-1)?.seq ?? 0;
    expect(all.messages.map((m) => m.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(all.messages.at(-1)?.text).toBe('<i>4</i>');

    const page = await getMessages(
      engine.app,
      `${path}?afterSeq=${last - 3}&limit=2`,
      agentToken(tenantId, mine.agentId),
    );
    expect(page.status).toBe(200);
    expect(messagePage.parse(page.body)).toMatchObject({ hasMore: true });
    expect(messagePage.parse(page.body).messages.map((m) => m.seq)).toEqual([last - 2, last - 1]);

    const supervisor = agentToken(tenantId, uniqueId('sup'), 'supervisor');
    expect((await getMessages(engine.app, path, supervisor)).status).toBe(200);

    // Another shopper's token, an agent not holding the session, another tenant, no token.
    const theirs = await openAssigned(engine, tenantId);
    const refused = [
      [await getMessages(engine.app, path, theirs.visitorToken), 403, 'forbidden'],
      [await getMessages(engine.app, path, agentToken(tenantId, 'nobody')), 403, 'forbidden'],
      [
        await getMessages(
          engine.app,
          path,
          agentToken(uniqueId('tenant'), mine.agentId, 'supervisor'),
        ),
        404,
        'not_found',
      ],
      [await getMessages(engine.app, path), 401, 'unauthorized'],
      [await getMessages(engine.app, path, `${mine.visitorToken}x`), 401, 'unauthorized'],
    ] as const;
    for (const [response, status, code] of refused) {
      expect(response.status).toBe(status);
      expect(errorBody.parse(response.body).error.code).toBe(code);
    }
  });

  it('when a reader pages back with beforeSeq, then each page is the latest before it, in order, until the first message', async () => {
    const agentId = uniqueId('agent');
    const tenantId = await desk(engine, [agentId]);
    const session = await openAssigned(engine, tenantId);
    const visitor = await connectVisitor(engine.app, session.visitorToken);
    sockets.push(visitor);
    for (let i = 0; i < 7; i++) {
      ok(await visitorSend(visitor, { kind: 'text', clientMsgId: `b${i}`, text: `line ${i}` }));
    }
    const path = `/api/v1/sessions/${session.sessionId}/messages`;
    const token = agentToken(tenantId, session.agentId);
    const all = messagePage.parse((await getMessages(engine.app, path, token)).body).messages;
    const last = all.at(-1)?.seq ?? 0;
    expect(last).toBeGreaterThanOrEqual(7);

    const seen: number[] = [];
    let before = last + 1;
    for (let pages = 0; pages < 10; pages++) {
      const answer = await getMessages(engine.app, `${path}?beforeSeq=${before}&limit=3`, token);
      expect(answer.status).toBe(200);
      const page = messagePage.parse(answer.body);
      const seqs = page.messages.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(Math.max(...seqs)).toBe(before - 1);
      seen.unshift(...seqs);
      before = seqs[0] ?? 1;
      expect(page.hasMore).toBe(before > 1);
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(all.map((m) => m.seq));

    const both = await getMessages(engine.app, `${path}?afterSeq=2&beforeSeq=5`, token);
    expect(both.status).toBe(400);
    expect(errorBody.parse(both.body).error.fields?.map((f) => f.path)).toContain('beforeSeq');
    const stranger = await getMessages(
      engine.app,
      `${path}?beforeSeq=3`,
      agentToken(tenantId, 'nobody'),
    );
    expect(stranger.status).toBe(403);
  });

  it.each([
    ['afterSeq', '?afterSeq=-1'],
    ['afterSeq', '?afterSeq=abc'],
    ['limit', '?limit=1000'],
    ['beforeSeq', '?beforeSeq=0'],
    ['since', '?since=3'],
  ])('when the query is bad (%s), then 400 names the field', async (field, query) => {
    const tenantId = await desk(engine, ['a']);
    const session = await openAssigned(engine, tenantId);
    const response = await getMessages(
      engine.app,
      `/api/v1/sessions/${session.sessionId}/messages${query}`,
      session.visitorToken,
    );
    expect(response.status).toBe(400);
    // An unknown key is reported on its parent, its name in the message.
    const { fields } = errorBody.parse(response.body).error;
    expect(fields?.map((f) => `${f.path} ${f.message}`).join('; ')).toContain(field);
  });

  it('is described in the OpenAPI document', async () => {
    const response = await fetch(`${engine.app.url}/api/v1/openapi.json`);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toContain('/api/v1/sessions/{sessionId}/messages');
  });
});

describe('send rate', () => {
  it('when a shopper sends over the limit, then the error ack names the limit and nothing is stored; a retry of a stored message still gets its seq', async () => {
    const limited = await createApp(
      { ...engine.config, VISITOR_SEND_LIMIT: 3, VISITOR_SEND_WINDOW_SECONDS: 60 },
      createLogger('warn', { process: 'api-limited' }),
    );
    try {
      const agentId = uniqueId('agent');
      const tenantId = await desk(engine, [agentId]);
      const session = await openAssigned(engine, tenantId);
      const visitor = await connectVisitor(limited, session.visitorToken);
      sockets.push(visitor);
      const first = ok(await visitorSend(visitor, { kind: 'text', clientMsgId: 'r1', text: '1' }));
      ok(await visitorSend(visitor, { kind: 'text', clientMsgId: 'r2', text: '2' }));
      ok(await visitorSend(visitor, { kind: 'text', clientMsgId: 'r3', text: '3' }));
      const count = await collections(engine.db).messages.countDocuments({
        sessionId: session.sessionId,
      });
      const over = await visitorSend(visitor, { kind: 'text', clientMsgId: 'r4', text: '4' });
      expect(over).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      expect(over.ok ? '' : over.error.message).toMatch(/at most 3 messages per 60 s/);
      expect(
        await collections(engine.db).messages.countDocuments({ sessionId: session.sessionId }),
      ).toBe(count);
      const retry = ok(await visitorSend(visitor, { kind: 'text', clientMsgId: 'r1', text: '1' }));
      expect(retry.seq).toBe(first.seq);
      // Agents are staff: no shopper rate applies to them.
      const agent = await connectAgent(limited.url, agentToken(tenantId, agentId));
      sockets.push(agent);
      ok(
        await agentSend(agent, {
          sessionId: session.sessionId,
          kind: 'text',
          clientMsgId: 'x',
          text: 'hi',
        }),
      );
    } finally {
      sockets.splice(0).forEach((s) => s.close());
      await limited.close();
    }
  });
});
