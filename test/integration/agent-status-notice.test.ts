import type { AgentStatusNotice } from '../../domain/socket-events';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import type { RoutingService } from '../../routing/service';
import { agentStore } from '../../stores/agents';
import { apiKeyStore } from '../../stores/api-keys';
import { activityDeps } from '../../workers/session-worker';
import { callOk } from '../support/api-client';
import { agentToken, connectAgent, type AgentSocket } from '../support/chat';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { startGatewayProcess } from '../support/gateway-process';

/**
 * An agent's own consoles hear `agent:status` when its status changes other
 * than by their request: every tab, on every gateway node, and no one
 * else's. The grace is 1 s and nodes renew their lease every 300 ms.
 */

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

/** A tenant following connections with a 1 s grace; agents `ann` and `bob`. */
async function desk() {
  const tenantId = await engine.createTenant(
    { robot: { enabled: false } },
    { mode: 'connections', disconnectGraceSeconds: 1 },
  );
  await routing.configureGroup(tenantId, 'default', {});
  for (const agentId of ['ann', 'bob']) {
    await routing.configureAgent(tenantId, { agentId, capacity: 5, groups: ['default'] });
  }
  const adminKey = (await apiKeyStore(engine.db).create(tenantId, 'status test', 'admin')).key;
  return { tenantId, adminKey };
}

/** A console of `agentId` on `url`, with the `agent:status` notices it hears. */
async function consoleOf(url: string, tenantId: string, agentId: string) {
  const socket = await connectAgent(url, agentToken(tenantId, agentId));
  sockets.push(socket);
  const heard: AgentStatusNotice[] = [];
  socket.on('agent:status', (notice) => heard.push(notice));
  return { socket, heard };
}

const last = (heard: AgentStatusNotice[]) => () => Promise.resolve(heard.at(-1));

describe('agent:status', () => {
  it('when an admin sets an agent busy, then both of her tabs on two gateway nodes hear it and another agent’s console does not', async () => {
    const { tenantId, adminKey } = await desk();
    const gateway = await startGatewayProcess(engine.config);
    try {
      const here = await consoleOf(engine.app.url, tenantId, 'ann');
      const there = await consoleOf(gateway.url, tenantId, 'ann');
      const bob = await consoleOf(engine.app.url, tenantId, 'bob');

      await callOk(engine.app, 'PUT', '/api/v1/agents/ann/status', {
        token: adminKey,
        body: { status: 'busy' },
      });

      expect(await eventually(last(here.heard))).toEqual({ status: 'busy' });
      expect(await eventually(last(there.heard))).toEqual({ status: 'busy' });
      // Time enough for a stray notice to arrive.
      await sleep(500);
      expect(bob.heard).toEqual([]);
    } finally {
      await gateway.kill();
    }
  });

  it('when the engine gives back an agent it set away for being disconnected, then her new console hears online', async () => {
    const { tenantId, adminKey } = await desk();
    const bob = await consoleOf(engine.app.url, tenantId, 'bob');
    await callOk(engine.app, 'PUT', '/api/v1/agents/ann/status', {
      token: adminKey,
      body: { status: 'online' },
    });
    // No console: away after the grace, by the engine.
    await eventually(async () => {
      const doc = await agentStore(engine.db).getAgent(tenantId, 'ann');
      return doc?.status === 'away' && doc.statusReason === 'disconnected' ? true : undefined;
    }, 10_000);

    const ann = await consoleOf(engine.app.url, tenantId, 'ann');

    expect(await eventually(last(ann.heard))).toEqual({ status: 'online' });
    await sleep(500);
    expect(bob.heard).toEqual([]);
  });
});
