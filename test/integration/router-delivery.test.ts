import type { Assignment } from '../../domain/agents';
import { closeRedis, type RedisClient } from '../../runtime/connections';
import { deliverPending } from '../../routing/delivery';
import { createRouter, type Router } from '../../routing/router';
import { testRedis } from '../support/redis';
import { uniqueId } from '../support/stack';
import { manualPresence } from '../support/manual-presence';

/** Decisions whose maker died before telling the session are told by redelivery. */

let redis: RedisClient;
let router: Router;
let tenant: string;
let clock: number;

beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await closeRedis(redis);
});
beforeEach(async () => {
  clock = 10_000;
  router = createRouter(redis, () => clock);
  tenant = uniqueId('tenant');
  await router.configurePresence(tenant, manualPresence, []);
  await router.upsertAgent(tenant, { agentId: 'a', capacity: 1, groups: ['g'] });
  await router.setStatus(tenant, 'a', 'online');
});

describe('pending assignment delivery', () => {
  it('when the process dies between the decision and telling the session, then a later round tells it once', async () => {
    await router.enqueue(tenant, { sessionId: 's1', groupId: 'g', priority: 0, enqueuedAt: 1 });
    await router.enqueue(tenant, { sessionId: 's2', groupId: 'g', priority: 0, enqueuedAt: 2 });
    // The releasing process decides (s2 takes the seat) and dies before telling anyone.
    await router.release(tenant, 'a', 's1');

    const told: Assignment[] = [];
    const tell = (a: Assignment) => {
      told.push(a);
      return Promise.resolve();
    };
    // Too young: its maker may still be telling it.
    expect(
      (await deliverPending(router, tenant, tell, { minAgeMs: 2_000, now: clock + 1_000 }))
        .delivered,
    ).toEqual([]);
    const round = await deliverPending(router, tenant, tell, {
      minAgeMs: 2_000,
      now: clock + 2_000,
    });
    expect(round.delivered.map((a) => [a.sessionId, a.agentId])).toEqual([['s2', 'a']]);
    await deliverPending(router, tenant, tell, { minAgeMs: 2_000, now: clock + 9_000 });
    expect(told.map((a) => a.sessionId)).toEqual(['s2']);
  });

  it('when telling fails, then the decision stays pending and the next round retries it', async () => {
    await router.enqueue(tenant, { sessionId: 's1', groupId: 'g', priority: 0, enqueuedAt: 1 });
    let attempts = 0;
    const flaky = () =>
      ++attempts === 1 ? Promise.reject(new Error('workflow unreachable')) : Promise.resolve();
    const first = await deliverPending(router, tenant, flaky, { minAgeMs: 0, now: clock });
    expect(first.failed.map((f) => f.assignment.sessionId)).toEqual(['s1']);
    expect((await router.pending(tenant)).map((a) => a.sessionId)).toEqual(['s1']);
    const second = await deliverPending(router, tenant, flaky, { minAgeMs: 0, now: clock });
    expect(second.delivered.map((a) => a.sessionId)).toEqual(['s1']);
    expect(await router.pending(tenant)).toEqual([]);
    expect(attempts).toBe(2);
  });

  it('when the session closed before it was told, then there is nothing left to deliver', async () => {
    await router.enqueue(tenant, { sessionId: 's1', groupId: 'g', priority: 0, enqueuedAt: 1 });
    await router.release(tenant, 'a', 's1');
    expect(await router.pending(tenant)).toEqual([]);
  });
});
