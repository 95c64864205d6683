import { WorkflowNotFoundError } from '@temporalio/client';
import { startedSession } from '../../api/openapi';
import { agentSession, customerExport, erasedCustomer } from '../../api/views';
import { workingHoursSchema } from '../../domain/working-hours';
import { closeRedis, type RedisClient } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { hoursStore } from '../../stores/hours';
import { call, callOk, testOperatorToken } from '../support/api-client';
import { agentSend, connectAgent, ok, visitorSend } from '../support/chat';
import { consoleTenant, staffPassword } from '../support/console-tenant';
import {
  connectVisitor,
  eventually,
  startTestEngine,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { testRedis } from '../support/redis';
import { uniqueId } from '../support/stack';
import { signedVisitor } from '../support/identity';
import { mongoTraces, redisTraces, visibilityTraces } from '../support/traces';

/**
 * A customer erased (GDPR article 17): afterwards no collection, no Redis
 * key or value and no Temporal visibility record holds their id or the ids
 * of their sessions; the export before it held everything.
 */
let engine: TestEngine;
let redis: RedisClient;
const sockets: { close(): unknown }[] = [];
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
  redis = await testRedis();
});
afterAll(async () => {
  sockets.forEach((socket) => socket.close());
  await closeRedis(redis);
  await engine.close();
});

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(engine.app, method, path, options);

/** A call that must succeed: the scenario means nothing if a step of it failed. */
const must = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  callOk(engine.app, method, path, options);

async function openChat(tenantId: string, visitorId: string) {
  const started = startedSession.parse(
    await must('POST', '/api/v1/sessions', {
      body: {
        tenantId,
        visitor: signedVisitor(tenantId, visitorId),
        channel: 'web',
        entry: { type: 'order' },
      },
    }),
  );
  const socket = await connectVisitor(engine.app, started.visitorToken);
  sockets.push(socket);
  return { ...started, socket };
}

const phaseOf = (sessionId: string) =>
  collections(engine.db)
    .sessions.findOne({ _id: sessionId })
    .then((doc) => doc?.phase);

const say = async (socket: VisitorSocket, text: string) =>
  ok(await visitorSend(socket, { kind: 'text', clientMsgId: uniqueId('m'), text }));

const visibilityQueries = (tenantId: string, visitorId: string, sessionIds: string[]) => [
  `TenantId = '${tenantId}' AND VisitorId = '${visitorId}'`,
  ...sessionIds.map((id) => `WorkflowId = 'session/${tenantId}/${id}'`),
];

it('when a customer who chatted with the robot and an agent, sent a picture, rated, was tagged, got outreach and left a message is exported and then erased, then the export held it all, and afterwards no collection, Redis key or value, or Temporal visibility record holds their id or their sessions’ ids; another tenant’s customer of the same id is untouched', async () => {
  const lin = uniqueId('lin');
  const shop = await consoleTenant(engine, {
    reserve: false,
    staff: [{ agentId: lin, role: 'agent', capacity: 2 }],
  });
  const other = await consoleTenant(engine, { reserve: false, staff: [] });
  const visitorId = uniqueId('visitor');
  const admin = { token: shop.adminKey };

  const linToken = agentSession.parse(
    await must('POST', '/api/v1/auth/agent-login', {
      body: { tenantId: shop.tenantId, agentId: lin, password: staffPassword },
    }),
  ).token;
  await must('PUT', `/api/v1/agents/${lin}/status`, {
    token: linToken,
    body: { status: 'online' },
  });
  const console = await connectAgent(engine.app.url, linToken);
  sockets.push(console);

  // Session A: the robot answers, then an agent serves; a picture; closed and rated.
  const a = await openChat(shop.tenantId, visitorId);
  const asked = await say(a.socket, 'What is your return policy?');
  await eventually(
    async () =>
      (await collections(engine.db).messages.findOne({
        tenantId: shop.tenantId,
        sessionId: a.sessionId,
        'sender.type': 'robot',
        seq: { $gt: asked.seq },
      })) ?? undefined,
  );
  await must('POST', `/api/v1/sessions/${a.sessionId}/human`, { token: a.visitorToken });
  await eventually(async () => ((await phaseOf(a.sessionId)) === 'assigned' ? true : undefined));
  ok(
    await agentSend(console, {
      sessionId: a.sessionId,
      kind: 'text',
      clientMsgId: uniqueId('m'),
      text: 'Hello, Lin here',
    }),
  );
  ok(
    await visitorSend(a.socket, {
      kind: 'image',
      clientMsgId: uniqueId('m'),
      attachment: {
        url: 'https://cdn.example.com/receipt.png',
        name: 'receipt.png',
        size: 2048,
        mimeType: 'image/png',
      },
      text: '',
    }),
  );
  // An answer kept for replay under an Idempotency-Key: it names the customer.
  await must('POST', `/api/v1/sessions/${a.sessionId}/close`, {
    token: linToken,
    headers: { 'idempotency-key': uniqueId('close') },
  });
  await eventually(async () => {
    const rated = await api('POST', `/api/v1/sessions/${a.sessionId}/rating`, {
      token: a.visitorToken,
      body: { score: 5, comment: 'Quick and kind' },
    });
    return rated.status === 200 ? true : undefined;
  });

  // Tags on the session and on the customer; an agent's outreach.
  await must('POST', '/api/v1/tag-groups', { ...admin, body: { groupId: 'care', name: 'Care' } });
  for (const [tagId, target] of [
    ['refund', 'session'],
    ['vip', 'customer'],
  ]) {
    await must('POST', '/api/v1/tags', {
      ...admin,
      body: { tagId, groupId: 'care', name: tagId, target },
    });
  }
  await must('PUT', `/api/v1/sessions/${a.sessionId}/tags/refund`, admin);
  await must('PUT', `/api/v1/customers/${visitorId}/tags/vip`, admin);
  await must('POST', `/api/v1/customers/${visitorId}/outreach`, {
    token: linToken,
    body: { text: 'Your refund is on its way' },
  });

  // Session B: the shop is closed, so asking for a person leaves a message (a ticket).
  await hoursStore(engine.db).put(
    shop.tenantId,
    'sales',
    'reception',
    workingHoursSchema.parse({ timeZone: 'UTC', weekly: {} }),
  );
  const b = await openChat(shop.tenantId, visitorId);
  expect(b.sessionId).not.toBe(a.sessionId);
  await must('POST', `/api/v1/sessions/${b.sessionId}/human`, { token: b.visitorToken });
  await must('POST', `/api/v1/sessions/${b.sessionId}/leave-message`, {
    token: b.visitorToken,
    body: { contact: { name: 'Ann', phone: '+86 138 0000 0000' }, content: 'Call me about 42' },
  });
  await eventually(async () => ((await phaseOf(b.sessionId)) === 'closed' ? true : undefined));

  // Session C: still open with the robot when the erase comes.
  const c = await openChat(shop.tenantId, visitorId);
  await say(c.socket, 'Are you there?');
  await eventually(async () => ((await phaseOf(c.sessionId)) === 'robot' ? true : undefined));

  // The same visitor id at another shop.
  const elsewhere = await openChat(other.tenantId, visitorId);
  await say(elsewhere.socket, 'Hello other shop');

  const sessionIds = [a.sessionId, b.sessionId, c.sessionId];
  const needles = [visitorId, ...sessionIds];

  // The export: everything, in one JSON document.
  const exported = customerExport.parse(
    await must('GET', `/api/v1/customers/${visitorId}/export`, admin),
  );
  expect(exported.sessions.map((s) => s.sessionId).sort()).toEqual([...sessionIds].sort());
  const first = exported.sessions.find((s) => s.sessionId === a.sessionId);
  expect(first).toMatchObject({
    rating: { score: 5, comment: 'Quick and kind' },
    tags: ['refund'],
  });
  expect(first?.messages.map((m) => m.text)).toEqual(
    expect.arrayContaining(['What is your return policy?', 'Hello, Lin here']),
  );
  expect(first?.messages.some((m) => m.attachment?.name === 'receipt.png')).toBe(true);
  expect(exported).toMatchObject({
    visitorId,
    tags: ['vip'],
    tickets: [{ content: 'Call me about 42', contact: { phone: '+86 138 0000 0000' } }],
    outreach: [{ text: 'Your refund is on its way' }],
  });
  // Nobody but the tenant's admin reads it.
  expect(
    (await api('GET', `/api/v1/customers/${visitorId}/export`, { token: linToken })).status,
  ).toBe(403);

  // Before: traces everywhere (so the scan below can fail).
  const spare = [other.tenantId];
  expect((await mongoTraces(engine.db, needles, spare)).length).toBeGreaterThan(0);
  expect((await redisTraces(redis, needles, spare)).length).toBeGreaterThan(0);
  const queries = visibilityQueries(shop.tenantId, visitorId, sessionIds);
  expect((await visibilityTraces(engine.temporal.client, queries)).length).toBeGreaterThan(0);

  const erased = erasedCustomer.parse(
    await must('DELETE', `/api/v1/customers/${visitorId}`, admin),
  );
  expect(erased).toMatchObject({ visitorId, sessions: 3 });
  expect(erased.workflows).toBe(3);

  // After: no trace, anywhere. The server deletes a closed workflow as a task
  // of its own, some seconds later (a running one at once, terminating it).
  // (A timeout falls through to the expectation, which shows what is left.)
  await eventually(
    async () =>
      (await visibilityTraces(engine.temporal.client, queries)).length === 0 ? true : undefined,
    60_000,
  ).catch(() => undefined);
  expect({ erased, left: await visibilityTraces(engine.temporal.client, queries) }).toEqual({
    erased,
    left: [],
  });
  expect(await mongoTraces(engine.db, needles, spare)).toEqual([]);
  expect(await redisTraces(redis, needles, spare)).toEqual([]);
  for (const sessionId of sessionIds) {
    await expect(
      engine.temporal.client.workflow.getHandle(`session/${shop.tenantId}/${sessionId}`).describe(),
    ).rejects.toThrow(WorkflowNotFoundError);
  }

  // The other shop's customer of the same id: all there.
  const theirs = customerExport.parse(
    await must('GET', `/api/v1/customers/${visitorId}/export`, { token: other.adminKey }),
  );
  expect(theirs.sessions).toMatchObject([
    {
      sessionId: elsewhere.sessionId,
      messages: expect.arrayContaining([
        expect.objectContaining({ text: 'Hello other shop' }),
      ]) as unknown,
    },
  ]);
  expect(
    await visibilityTraces(engine.temporal.client, [
      `TenantId = '${other.tenantId}' AND VisitorId = '${visitorId}'`,
    ]),
  ).toHaveLength(1);

  // A repeated erase finds nothing, as does an export.
  expect(await api('DELETE', `/api/v1/customers/${visitorId}`, admin)).toMatchObject({
    status: 404,
  });
  expect(await api('GET', `/api/v1/customers/${visitorId}/export`, admin)).toMatchObject({
    status: 404,
  });
}, 180_000);

it('when an agent or an integration key asks to erase a customer, then 403, and nothing is erased', async () => {
  const shop = await consoleTenant(engine, { reserve: false, staff: [] });
  const visitorId = uniqueId('visitor');
  const opened = await openChat(shop.tenantId, visitorId);
  await eventually(async () => ((await phaseOf(opened.sessionId)) ? true : undefined));
  const integration = (await must('POST', '/api/v1/api-keys', {
    token: shop.adminKey,
    body: { name: 'erp', role: 'integration' },
  })) as { key: string };
  expect(
    (await api('DELETE', `/api/v1/customers/${visitorId}`, { token: integration.key })).status,
  ).toBe(403);
  expect(await phaseOf(opened.sessionId)).toBe('robot');
}, 60_000);
