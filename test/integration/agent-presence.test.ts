import { startedSession } from '../../api/openapi';
import { agentView } from '../../api/views';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import type { RoutingService } from '../../routing/service';
import { apiKeyStore } from '../../stores/api-keys';
import { collections } from '../../stores/collections';
import { activityDeps } from '../../workers/session-worker';
import { call, callOk } from '../support/api-client';
import { agentToken, connectAgent, openAssigned, type AgentSocket } from '../support/chat';
import { eventually, postJson, startTestEngine, type TestEngine } from '../support/engine';
import { startGatewayProcess } from '../support/gateway-process';
import { signedVisitor } from '../support/identity';
import { uniqueId } from '../support/stack';

/**
 * Presence that follows agents' console connections, on real servers: a
 * gateway node in its own process that is killed, several tabs, reconnects
 * within and after the grace, and the status an agent chose. The grace is
 * 2 s (the tenant setting) and nodes renew their lease every 300 ms, so a
 * dead node's connections count as gone within a second.
 */

const graceSeconds = 2;
let engine: TestEngine;
let redis: RedisClient;
let routing: RoutingService;
const sockets: AgentSocket[] = [];

beforeAll(async () => {
  engine = await startTestEngine({ PRESENCE_HEARTBEAT_MS: 300 });
  redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
  routing = activityDeps(engine.db, redis, engine.temporal.client).routing;
});
afterEach(() => {
  sockets.splice(0).forEach((socket) => socket.close());
});
afterAll(async () => {
  await closeRedis(redis);
  await engine.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tenant following connections with a 2 s grace; agent `ann` in the `default` group. */
async function followingDesk() {
  const tenantId = await engine.createTenant(
    { robot: { enabled: false } },
    { mode: 'connections', disconnectGraceSeconds: graceSeconds },
  );
  await routing.configureGroup(tenantId, 'default', {});
  await routing.configureAgent(tenantId, { agentId: 'ann', capacity: 5, groups: ['default'] });
  const adminKey = (await apiKeyStore(engine.db).create(tenantId, 'presence test', 'admin')).key;
  return { tenantId, adminKey };
}

async function openConsole(url: string, tenantId: string): Promise<AgentSocket> {
  const socket = await connectAgent(url, agentToken(tenantId, 'ann'));
  sockets.push(socket);
  return socket;
}

/** Ann as the agents list shows her. */
async function ann(adminKey: string) {
  const body = await callOk(engine.app, 'GET', '/api/v1/agents/ann', { token: adminKey });
  return agentView.parse(body);
}

/** Opens chat as a new shopper; the session may be assigned or wait. */
async function openChat(tenantId: string): Promise<string> {
  const response = await postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: signedVisitor(tenantId, uniqueId('visitor')),
    channel: 'web',
    entry: { type: 'order', ref: 'o-1' },
  });
  return startedSession.parse(response.body).sessionId;
}

const sessionDoc = (tenantId: string, sessionId: string) =>
  collections(engine.db).sessions.findOne({ _id: sessionId, tenantId });

const statusEvents = (tenantId: string) =>
  collections(engine.db)
    .events.find({ tenantId, type: 'agent.status_changed' })
    .sort({ at: 1 })
    .toArray();

describe('presence that follows connections', () => {
  it('when the gateway process holding the agent’s only socket is killed, then nothing is assigned to her, she is away (disconnected) within the grace + 5 s, and back online when she reconnects', async () => {
    const { tenantId, adminKey } = await followingDesk();
    const gateway = await startGatewayProcess(engine.config);
    try {
      await openConsole(gateway.url, tenantId);
      await routing.setStatus(tenantId, 'ann', 'online');
      // Live: a session goes to her.
      expect((await openAssigned(engine, tenantId)).agentId).toBe('ann');

      await gateway.kill();
      const killedAt = Date.now();
      // Once the node's lease has run out, her connection no longer counts.
      await sleep(1_000);
      const waiting = await openChat(tenantId);
      await eventually(async () =>
        (await sessionDoc(tenantId, waiting))?.phase === 'queued' ? true : undefined,
      );

      const away = await eventually(async () => {
        const now = await ann(adminKey);
        return now.status === 'away' ? now : undefined;
      }, 15_000);
      expect(Date.now() - killedAt).toBeLessThan((graceSeconds + 5) * 1000);
      expect(away.statusReason).toBe('disconnected');
      expect((await sessionDoc(tenantId, waiting))?.phase).toBe('queued');
      const events = await statusEvents(tenantId);
      expect(events.at(-1)?.data).toMatchObject({
        status: 'away',
        previousStatus: 'online',
        reason: 'disconnected',
      });

      // A console again, on the other node: online as she was, and the waiting shopper is hers.
      await openConsole(engine.app.url, tenantId);
      await eventually(async () => ((await ann(adminKey)).status === 'online' ? true : undefined));
      expect((await ann(adminKey)).statusReason).toBeUndefined();
      const assigned = await eventually(async () => {
        const doc = await sessionDoc(tenantId, waiting);
        return doc?.phase === 'assigned' ? doc : undefined;
      });
      expect(assigned.agentId).toBe('ann');
    } finally {
      await gateway.kill();
    }
  });

  it('when one of two tabs closes, then the agent stays online and keeps taking sessions', async () => {
    const { tenantId, adminKey } = await followingDesk();
    const first = await openConsole(engine.app.url, tenantId);
    await openConsole(engine.app.url, tenantId);
    await routing.setStatus(tenantId, 'ann', 'online');
    first.close();
    await sleep(graceSeconds * 1000 + 1_500);
    expect((await ann(adminKey)).status).toBe('online');
    expect((await openAssigned(engine, tenantId)).agentId).toBe('ann');
  });

  it('when the agent reconnects within the grace, then she stays online and no away is recorded', async () => {
    const { tenantId, adminKey } = await followingDesk();
    const tab = await openConsole(engine.app.url, tenantId);
    await routing.setStatus(tenantId, 'ann', 'online');
    tab.close();
    await sleep(500);
    await openConsole(engine.app.url, tenantId);
    await sleep(graceSeconds * 1000 + 1_500);
    expect((await ann(adminKey)).status).toBe('online');
    expect((await statusEvents(tenantId)).map((e) => e.data.status)).toEqual(['online']);
    expect((await openAssigned(engine, tenantId)).agentId).toBe('ann');
  });

  it('when the agent chose away, then losing and regaining her connection keeps her away', async () => {
    const { tenantId, adminKey } = await followingDesk();
    const tab = await openConsole(engine.app.url, tenantId);
    await routing.setStatus(tenantId, 'ann', 'away');
    tab.close();
    await sleep(graceSeconds * 1000 + 1_500);
    await openConsole(engine.app.url, tenantId);
    await sleep(1_000);
    const now = await ann(adminKey);
    expect(now.status).toBe('away');
    expect(now.statusReason).toBeUndefined();
    expect((await statusEvents(tenantId)).map((e) => e.data.status)).toEqual(['away']);
  });

  it('when an agent is set online with no console at all, then no session is assigned to her and she is away after the grace', async () => {
    const { tenantId, adminKey } = await followingDesk();
    await callOk(engine.app, 'PUT', '/api/v1/agents/ann/status', {
      token: adminKey,
      body: { status: 'online' },
    });
    const waiting = await openChat(tenantId);
    const away = await eventually(
      async () => {
        const now = await ann(adminKey);
        return now.status === 'away' ? now : undefined;
      },
      (graceSeconds + 5) * 1000,
    );
    expect(away.statusReason).toBe('disconnected');
    expect((await sessionDoc(tenantId, waiting))?.phase).toBe('queued');
  });

  it('when the tenant switches to manual presence, then an agent online without a console takes the waiting session', async () => {
    const { tenantId, adminKey } = await followingDesk();
    await routing.setStatus(tenantId, 'ann', 'busy');
    const waiting = await openChat(tenantId);
    await eventually(async () =>
      (await sessionDoc(tenantId, waiting))?.phase === 'queued' ? true : undefined,
    );
    // Busy takes nothing new, console or not.
    await callOk(engine.app, 'PUT', '/api/v1/presence', {
      token: adminKey,
      body: { mode: 'manual', disconnectGraceSeconds: graceSeconds },
    });
    await sleep(500);
    expect((await sessionDoc(tenantId, waiting))?.phase).toBe('queued');
    await routing.setStatus(tenantId, 'ann', 'online');
    const assigned = await eventually(async () => {
      const doc = await sessionDoc(tenantId, waiting);
      return doc?.phase === 'assigned' ? doc : undefined;
    });
    expect(assigned.agentId).toBe('ann');
  });
});

describe('presence settings', () => {
  it('when a tenant never set them, then it follows connections with a 60 s grace; a change reads back', async () => {
    const tenant = await engine.createTenant({}, {});
    const adminKey = (await apiKeyStore(engine.db).create(tenant, 'presence test', 'admin')).key;
    expect(await callOk(engine.app, 'GET', '/api/v1/presence', { token: adminKey })).toEqual({
      mode: 'connections',
      disconnectGraceSeconds: 60,
    });
    const body = { mode: 'connections', disconnectGraceSeconds: 0 };
    expect(await callOk(engine.app, 'PUT', '/api/v1/presence', { token: adminKey, body })).toEqual(
      body,
    );
    expect(await callOk(engine.app, 'GET', '/api/v1/presence', { token: adminKey })).toEqual(body);
  });

  it.each([
    [
      'a grace over an hour',
      { mode: 'connections', disconnectGraceSeconds: 3601 },
      'disconnectGraceSeconds',
    ],
    [
      'a negative grace',
      { mode: 'connections', disconnectGraceSeconds: -1 },
      'disconnectGraceSeconds',
    ],
    ['an unknown mode', { mode: 'sometimes', disconnectGraceSeconds: 60 }, 'mode'],
  ])(
    'when given %s, then it is refused naming the field and nothing changes',
    async (_case, body, field) => {
      const tenant = await engine.createTenant({}, {});
      const adminKey = (await apiKeyStore(engine.db).create(tenant, 'presence test', 'admin')).key;
      const answer = await call(engine.app, 'PUT', '/api/v1/presence', { token: adminKey, body });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain(field);
      expect(await callOk(engine.app, 'GET', '/api/v1/presence', { token: adminKey })).toEqual({
        mode: 'connections',
        disconnectGraceSeconds: 60,
      });
    },
  );
});
