import { startedSession } from '../../api/openapi';
import { agentSession, deletedTenant, suspendedTenant, tenantSummary } from '../../api/views';
import { defaultTemplates } from '../../domain/flow';
import { closeRedis, type RedisClient } from '../../runtime/connections';
import { tenantPrefix } from '../../stores/redis/keys';
import { collections } from '../../stores/collections';
import { call, callOk, testOperatorToken } from '../support/api-client';
import { connectAgent, waitFor } from '../support/chat';
import { consoleTenant, staffPassword, type ConsoleTenant } from '../support/console-tenant';
import { connectVisitor, eventually, startTestEngine, type TestEngine } from '../support/engine';
import { testRedis } from '../support/redis';
import { uniqueId } from '../support/stack';
import { signedVisitor } from '../support/identity';
import { mongoTraces, redisTraces, visibilityTraces } from '../support/traces';

/**
 * The operator's tenant lifecycle: list and look at tenants, suspend one
 * (every credential refused, live chats closed politely, sockets dropped),
 * resume it, and delete a suspended one with all its data.
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

const operator = { token: testOperatorToken };
const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(engine.app, method, path, options);

/** A call that must succeed: the scenario means nothing if a step of it failed. */
const must = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  callOk(engine.app, method, path, options);

/** A shop with an online agent serving one shopper, both connected. */
async function liveShop() {
  const lin = uniqueId('lin');
  const shop = await consoleTenant(engine, {
    reserve: false,
    flow: { robot: { enabled: false } },
    staff: [{ agentId: lin, role: 'agent', capacity: 2 }],
  });
  const agentToken = agentSession.parse(
    await must('POST', '/api/v1/auth/agent-login', {
      body: { tenantId: shop.tenantId, agentId: lin, password: staffPassword },
    }),
  ).token;
  await must('PUT', `/api/v1/agents/${lin}/status`, {
    token: agentToken,
    body: { status: 'online' },
  });
  const agent = await connectAgent(engine.app.url, agentToken);
  sockets.push(agent);
  const started = startedSession.parse(
    await must('POST', '/api/v1/sessions', {
      body: {
        tenantId: shop.tenantId,
        visitor: signedVisitor(shop.tenantId, uniqueId('visitor')),
        channel: 'web',
        entry: { type: 'order' },
      },
    }),
  );
  const shopper = await connectVisitor(engine.app, started.visitorToken);
  sockets.push(shopper);
  await eventually(async () =>
    (await collections(engine.db).sessions.findOne({ _id: started.sessionId }))?.phase ===
    'assigned'
      ? true
      : undefined,
  );
  return { shop, lin, agentToken, agent, shopper, ...started };
}

/** Calls any tenant credential may make: each answers 403 tenant_suspended while suspended. */
function tenantCalls(live: Awaited<ReturnType<typeof liveShop>>, shop: ConsoleTenant) {
  return {
    admin: () => api('GET', '/api/v1/groups', { token: shop.adminKey }),
    agent: () => api('GET', '/api/v1/sessions', { token: live.agentToken }),
    visitor: () =>
      api('GET', `/api/v1/sessions/${live.sessionId}/messages`, { token: live.visitorToken }),
    openChat: () =>
      api('POST', '/api/v1/sessions', {
        body: {
          tenantId: shop.tenantId,
          visitor: signedVisitor(shop.tenantId, uniqueId('visitor')),
          channel: 'web',
          entry: { type: 'order' },
        },
      }),
    login: () =>
      api('POST', '/api/v1/auth/agent-login', {
        body: { tenantId: shop.tenantId, agentId: live.lin, password: staffPassword },
      }),
  };
}

it('when the operator lists tenants, then pages come in id order with a next cursor, one tenant reads by id, and nobody else may', async () => {
  const made = [];
  for (let i = 0; i < 3; i++) made.push(await consoleTenant(engine, { reserve: false, staff: [] }));
  const seen: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 50; page++) {
    const body = (await must(
      'GET',
      `/api/v1/tenants?limit=2${after ? `&after=${after}` : ''}`,
      operator,
    )) as { items: unknown[]; next?: string };
    const items = body.items.map((item) => tenantSummary.parse(item));
    expect(items.length).toBeLessThanOrEqual(2);
    seen.push(...items.map((t) => t.tenantId));
    if (!body.next) break;
    after = body.next;
  }
  expect(seen).toEqual([...seen].sort());
  expect(seen).toEqual(expect.arrayContaining(made.map((t) => t.tenantId)));

  const one = made[0];
  if (!one) throw new Error('no tenant made');
  expect(
    tenantSummary.parse(await must('GET', `/api/v1/tenants/${one.tenantId}`, operator)),
  ).toMatchObject({ tenantId: one.tenantId, name: 'Test shop' });
  expect(await api('GET', `/api/v1/tenants/${uniqueId('nobody')}`, operator)).toMatchObject({
    status: 404,
  });
  expect((await api('GET', '/api/v1/tenants', { token: one.adminKey })).status).toBe(403);
}, 60_000);

it('when the operator suspends a tenant, then its live chat is closed with the closing line, its sockets are dropped, and every credential of it is refused with tenant_suspended until it is resumed; other tenants are unaffected', async () => {
  const live = await liveShop();
  const { shop } = live;
  const bystander = await consoleTenant(engine, { reserve: false, staff: [] });
  const calls = tenantCalls(live, shop);
  for (const attempt of Object.values(calls)) expect((await attempt()).status).toBeLessThan(300);

  const suspended = suspendedTenant.parse(
    await must('POST', `/api/v1/tenants/${shop.tenantId}/suspend`, operator),
  );
  expect(suspended).toMatchObject({
    tenant: { tenantId: shop.tenantId, suspendedAt: expect.any(String) as unknown },
    // The live chat, and the one `openChat` opened above.
    closedSessions: 2,
  });
  expect(suspended.disconnected).toBeGreaterThanOrEqual(2);

  // Closed politely, by the workflow: the flow's closing line, reason ops.
  const c = collections(engine.db);
  expect(await c.sessions.findOne({ _id: live.sessionId })).toMatchObject({
    phase: 'closed',
    closeReason: 'ops',
  });
  expect(
    await c.messages.countDocuments({
      tenantId: shop.tenantId,
      sessionId: live.sessionId,
      text: defaultTemplates.en.closed,
    }),
  ).toBe(1);
  await waitFor(() => !live.shopper.connected && !live.agent.connected);

  for (const [name, attempt] of Object.entries(calls)) {
    const answer = await attempt();
    expect({ name, ...answer }).toMatchObject({
      name,
      status: 403,
      body: { error: { code: 'tenant_suspended' } },
    });
  }
  await expect(connectVisitor(engine.app, live.visitorToken)).rejects.toThrow(/tenant_suspended/);
  await expect(connectAgent(engine.app.url, live.agentToken)).rejects.toThrow(/tenant_suspended/);
  expect((await api('GET', '/api/v1/groups', { token: bystander.adminKey })).status).toBe(200);

  // Resumed: the same credentials work again.
  expect(
    tenantSummary.parse(await must('POST', `/api/v1/tenants/${shop.tenantId}/resume`, operator)),
  ).not.toHaveProperty('suspendedAt');
  for (const attempt of [calls.admin, calls.agent, calls.visitor, calls.openChat, calls.login]) {
    expect((await attempt()).status).toBeLessThan(300);
  }
  const again = await connectAgent(engine.app.url, live.agentToken);
  sockets.push(again);
  expect(again.connected).toBe(true);
}, 120_000);

it('when the operator deletes a tenant, then an active one is refused with 409, and a suspended one goes with every document, Redis key and workflow of it; another tenant keeps its own', async () => {
  const live = await liveShop();
  const { shop } = live;
  const bystander = await liveShop();
  expect(await api('DELETE', `/api/v1/tenants/${shop.tenantId}`, operator)).toMatchObject({
    status: 409,
    body: { error: { code: 'tenant_not_suspended' } },
  });
  // Before: the tenant is everywhere (so the scans below can fail).
  const needles = [shop.tenantId];
  const visibility = [`TenantId = '${shop.tenantId}'`];
  expect((await mongoTraces(engine.db, needles)).length).toBeGreaterThan(0);
  expect((await redisTraces(redis, [tenantPrefix(shop.tenantId)])).length).toBeGreaterThan(0);
  expect((await visibilityTraces(engine.temporal.client, visibility)).length).toBeGreaterThan(0);

  await must('POST', `/api/v1/tenants/${shop.tenantId}/suspend`, operator);
  const deleted = deletedTenant.parse(
    await must('DELETE', `/api/v1/tenants/${shop.tenantId}`, operator),
  );
  expect(deleted.workflows).toBeGreaterThanOrEqual(1);
  expect(deleted.deleted).toMatchObject({ sessions: 1, api_keys: 1 });

  expect(await mongoTraces(engine.db, needles)).toEqual([]);
  expect(await redisTraces(redis, [tenantPrefix(shop.tenantId)])).toEqual([]);
  await eventually(
    async () =>
      (await visibilityTraces(engine.temporal.client, visibility)).length === 0 ? true : undefined,
    60_000,
  ).catch(() => undefined);
  expect(await visibilityTraces(engine.temporal.client, visibility)).toEqual([]);

  expect(await api('GET', `/api/v1/tenants/${shop.tenantId}`, operator)).toMatchObject({
    status: 404,
  });
  expect((await api('GET', '/api/v1/groups', { token: shop.adminKey })).status).toBe(401);
  // A token it issued before finds nothing any more.
  expect(await api('GET', '/api/v1/sessions', { token: live.agentToken })).toMatchObject({
    status: 200,
    body: { items: [] },
  });

  // The other tenant: its session, agent and workflow are all there.
  expect(await collections(engine.db).sessions.findOne({ _id: bystander.sessionId })).toMatchObject(
    { phase: 'assigned' },
  );
  expect(
    await visibilityTraces(engine.temporal.client, [`TenantId = '${bystander.shop.tenantId}'`]),
  ).toHaveLength(1);
  expect((await api('GET', '/api/v1/groups', { token: bystander.shop.adminKey })).status).toBe(200);
}, 150_000);
