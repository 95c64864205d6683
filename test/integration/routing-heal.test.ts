import type { ChildProcess } from 'node:child_process';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { closeUpdate } from '../../workflows/contract';
import { sessionWorkflowId } from '../../domain/session';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { startOwnRedis } from '../support/own-redis';
import { routingDesk, type RoutingDesk } from '../support/routing-desk';

/**
 * Redis holds nothing that can't be rebuilt (DESIGN.md §5): after FLUSHALL on
 * a running engine, the worker's upkeep rebuilds every tenant from MongoDB
 * within 30 s — waiting sessions in their original order, each agent's load
 * equal to its open sessions — and routing carries on. The engine gets a
 * Redis of its own: FLUSHALL would hit other suites.
 */

let redisServer: ChildProcess;
let engine: TestEngine;
let redis: RedisClient;
let desk: RoutingDesk;

beforeAll(async () => {
  const own = await startOwnRedis();
  redisServer = own.process;
  engine = await startTestEngine({ REDIS_URL: own.url });
  redis = await connectRedis(own.url, () => undefined);
  desk = routingDesk(engine.app, engine.db, redis, engine.temporal.client);
});
afterAll(async () => {
  await closeRedis(redis);
  await engine.close();
  redisServer.kill('SIGKILL');
});

describe('healing routing state after FLUSHALL', () => {
  it('when Redis is flushed mid-run, then within 30 s queues, order and loads are back and routing carries on', async () => {
    const tenantId = await engine.createTenant({ robot: { enabled: false }, locale: 'en' });
    await desk.routing.configureGroup(tenantId, 'default', {});
    await desk.routing.configureAgent(tenantId, {
      agentId: 'ann',
      capacity: 2,
      groups: ['default'],
    });
    await desk.routing.configureAgent(tenantId, {
      agentId: 'bob',
      capacity: 1,
      groups: ['default'],
    });
    await desk.routing.setStatus(tenantId, 'ann', 'online');
    await desk.routing.setStatus(tenantId, 'bob', 'online');

    // Three sessions take the three seats; three more wait, in arrival order.
    const sessions: string[] = [];
    for (let i = 0; i < 6; i++) {
      const sessionId = await desk.open(tenantId);
      await desk.waitFor(tenantId, sessionId, (s) =>
        i < 3 ? s.phase === 'assigned' : s.queuePosition !== undefined,
      );
      sessions.push(sessionId);
    }
    const waiting = sessions.slice(3);
    const snapshot = async () => ({
      positions: await Promise.all(waiting.map((s) => desk.router.position(tenantId, s))),
      ann: (await desk.router.sessionsOf(tenantId, 'ann')).sort(),
      bob: (await desk.router.sessionsOf(tenantId, 'bob')).sort(),
    });
    const before = await snapshot();
    expect(before.positions).toEqual([1, 2, 3]);
    expect(before.ann.length + before.bob.length).toBe(3);

    await redis.flushAll();
    const flushedAt = Date.now();
    expect(await desk.router.intact(tenantId)).toBe(false);

    const healed = await eventually(async () => {
      const now = await snapshot();
      return JSON.stringify(now) === JSON.stringify(before) ? now : undefined;
    }, 30_000);
    expect(Date.now() - flushedAt).toBeLessThan(30_000);
    expect(healed).toEqual(before);

    // Routing carries on: a closed seat goes to the first waiting session.
    const [closing] = before.ann;
    if (!closing) throw new Error('ann had no session');
    await engine.temporal.client.workflow
      .getHandle(sessionWorkflowId(tenantId, closing))
      .executeUpdate(closeUpdate, { args: [{ by: { type: 'visitor' } }] });
    const next = await desk.waitFor(tenantId, waiting[0] ?? '', (s) => s.phase === 'assigned');
    expect(next.agentId).toBe('ann');
    expect(await desk.router.position(tenantId, waiting[1] ?? '')).toBe(1);
  });
});
