import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { SlaAlert, StatsHint } from '../../domain/socket-events';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { activityDeps } from '../../workers/session-worker';
import {
  agentToken,
  connectAgent,
  desk,
  openAssigned,
  waitFor,
  type AgentSocket,
} from '../support/chat';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';

/**
 * A first-response SLA breach is recorded by the workflow's activity and
 * pushed to the tenant's supervisors — only to them, and only to that
 * tenant's — from the worker through the Redis emitter.
 */

let engine: TestEngine;
let redis: RedisClient;
const sockets: AgentSocket[] = [];

beforeAll(async () => {
  engine = await startTestEngine();
  redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await closeRedis(redis);
  await engine.close();
});

async function listen(tenantId: string, agentId: string, role: 'agent' | 'supervisor') {
  const socket = await connectAgent(engine.app.url, agentToken(tenantId, agentId, role));
  sockets.push(socket);
  const alerts: SlaAlert[] = [];
  socket.on('alert:sla', (alert) => alerts.push(alert));
  return alerts;
}

describe('supervisor alerts', () => {
  it('when an SLA breach is recorded, then the tenant’s supervisors are alerted and nobody else', async () => {
    const shopA = await engine.createTenant();
    const shopB = await engine.createTenant();
    const supervisorA = await listen(shopA, 'sue', 'supervisor');
    const agentA = await listen(shopA, 'ann', 'agent');
    const supervisorB = await listen(shopB, 'sam', 'supervisor');
    const activities = createActivities(activityDeps(engine.db, redis, engine.temporal.client));
    // Run as the worker runs it: inside an activity context.
    const breach = (tenantId: string, alert: SlaAlert) =>
      new MockActivityEnvironment().run(
        activities.recordSlaBreach,
        tenantId,
        alert.sessionId,
        alert.agentId,
        alert.at,
      );

    const breachA = { sessionId: uniqueId('s'), agentId: 'ann', at: new Date().toISOString() };
    await breach(shopA, breachA);
    await waitFor(() => supervisorA.length === 1);
    expect(supervisorA).toEqual([breachA]);

    // Emitted after A's on the same channel: once B's arrives, A's would have arrived too.
    const breachB = { sessionId: uniqueId('s'), agentId: 'bo', at: new Date().toISOString() };
    await breach(shopB, breachB);
    await waitFor(() => supervisorB.length === 1);
    expect(supervisorB).toEqual([breachB]);
    expect(agentA).toEqual([]);
    expect(supervisorA).toEqual([breachA]);
  });

  it('when a session opens and is assigned, or an agent changes presence, then the tenant’s supervisors get a stats hint and nobody else', async () => {
    const shop = await desk(engine, ['ann']);
    const otherShop = await desk(engine, ['bo']);
    const hints = async (tenantId: string, agentId: string, role: 'agent' | 'supervisor') => {
      const socket = await connectAgent(engine.app.url, agentToken(tenantId, agentId, role));
      sockets.push(socket);
      const seen: StatsHint[] = [];
      socket.on('stats:changed', (hint) => seen.push(hint));
      return seen;
    };
    const supervisor = await hints(shop, 'sue', 'supervisor');
    const agent = await hints(shop, 'ann', 'agent');
    const otherSupervisor = await hints(otherShop, 'sam', 'supervisor');

    await openAssigned(engine, shop);
    await waitFor(() => supervisor.some((h) => h.reason === 'session'));
    const away = await fetch(`${engine.app.url}/api/v1/agents/ann/status`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${agentToken(shop, 'ann')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ status: 'away' }),
    });
    expect(away.status).toBe(200);
    await waitFor(() => supervisor.some((h) => h.reason === 'presence'));

    // The other shop's change comes after; once its supervisor hears it, ours would have too.
    const heard = supervisor.length;
    await openAssigned(engine, otherShop);
    await waitFor(() => otherSupervisor.length > 0);
    expect(otherSupervisor.every((h) => h.reason === 'session')).toBe(true);
    expect(supervisor).toHaveLength(heard);
    expect(agent).toEqual([]);
  });
});
