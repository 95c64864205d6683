import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type EnqueueOutcome } from '../../activities';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { createRouter } from '../../routing/router';
import { activityDeps } from '../../workers/session-worker';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';

/**
 * A flow's queue limit is checked by the enqueue script as it places the
 * session, so sessions arriving at the same moment can never push a queue
 * past its limit (a length read before the enqueue would let them all in).
 */

let engine: TestEngine;
let redis: RedisClient;

beforeAll(async () => {
  engine = await startTestEngine();
  redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
});
afterAll(async () => {
  await closeRedis(redis);
  await engine.close();
});

const count = (outcomes: { status: string }[], status: string) =>
  outcomes.filter((o) => o.status === status).length;

describe('queue limit', () => {
  it('when many sessions arrive at once at a queue with room for four, then exactly four wait and the rest are refused as full', async () => {
    const tenantId = await engine.createTenant();
    const deps = activityDeps(engine.db, redis, engine.temporal.client);
    await deps.routing.configureGroup(tenantId, 'desk', { strategy: 'least-load', reserve: false });
    const activities = createActivities(deps);
    const arrivals = Array.from({ length: 12 }, (_, i) => ({
      tenantId,
      sessionId: uniqueId('session'),
      groupId: 'desk',
      priority: 0,
      enqueuedAt: 1_000 + i,
      maxLength: 4,
    }));

    const outcomes = await Promise.all(
      arrivals.map((request): Promise<EnqueueOutcome> =>
        new MockActivityEnvironment().run(activities.enqueue, request),
      ),
    );

    expect(count(outcomes, 'queued')).toBe(4);
    expect(count(outcomes, 'full')).toBe(8);
    expect(outcomes.filter((o) => o.status === 'full')).toEqual(
      Array.from({ length: 8 }, () => ({ status: 'full', length: 4 })),
    );
    expect(await deps.routing.queueLength(tenantId, 'desk')).toBe(4);
  });

  it('when a full queue is asked again by a session already waiting in it, then it answers with its place, and a refused session is not left waiting', async () => {
    const router = createRouter(redis);
    const tenantId = uniqueId('tenant');
    const request = (sessionId: string, enqueuedAt: number) => ({
      sessionId,
      groupId: 'g',
      priority: 0,
      enqueuedAt,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => router.enqueue(tenantId, request(`s${i}`, i), 5)),
    );
    expect(count(outcomes, 'queued')).toBe(5);
    expect(count(outcomes, 'full')).toBe(15);
    expect(await router.queueLength(tenantId, 'g')).toBe(5);

    const waiting = outcomes.flatMap((o, i) => (o.status === 'queued' ? [`s${i}`] : []));
    const refused = outcomes.flatMap((o, i) => (o.status === 'full' ? [`s${i}`] : []));
    const first = waiting[0] ?? '';
    expect(await router.enqueue(tenantId, request(first, 0), 5)).toEqual({
      status: 'queued',
      position: 1,
    });
    for (const sessionId of refused) {
      expect(await router.queuePosition(tenantId, sessionId)).toBeUndefined();
    }
  });
});
