import type { ChildProcess } from 'node:child_process';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { routingKeys } from '../../routing/keys';
import { createRouter, type Router, type RoutingSnapshot } from '../../routing/router';
import { startOwnRedis } from '../support/own-redis';
import { uniqueId } from '../support/stack';
import { manualPresence } from '../support/manual-presence';

/**
 * Redis holds nothing that cannot be rebuilt: after FLUSHALL, restoring from
 * the durable truth brings back the same queues in the same order and the
 * same loads. (A Redis of this suite's own: FLUSHALL would hit other suites.)
 */

let server: ChildProcess;
let redis: RedisClient;
let router: Router;
let clock = 1_000;

beforeAll(async () => {
  const own = await startOwnRedis();
  server = own.process;
  redis = await connectRedis(own.url, () => undefined);
  router = createRouter(redis, () => ++clock);
});
afterAll(async () => {
  await closeRedis(redis);
  server.kill('SIGKILL');
});

async function routingState(tenant: string, agents: string[], groups: string[]) {
  const keys = routingKeys(tenant);
  return {
    seats: await Promise.all(
      agents.map(async (a) => (await redis.sMembers(keys.agentSessions(a))).sort()),
    ),
    available: await Promise.all(groups.map((g) => redis.zRange(keys.available(g), 0, -1))),
    queues: await Promise.all(groups.map((g) => redis.zRange(keys.queue(g), 0, -1))),
  };
}

describe('restoring routing state', () => {
  it('when Redis was flushed, then restoring from the durable truth gives back the same queues, order and loads', async () => {
    const tenant = uniqueId('tenant');
    const agents = ['a', 'b', 'c'];
    const groups = ['presale', 'aftersale'];
    await router.configurePresence(tenant, manualPresence, []);
    await router.upsertAgent(tenant, { agentId: 'a', capacity: 2, groups: ['presale'] });
    await router.upsertAgent(tenant, {
      agentId: 'b',
      capacity: 2,
      groups: ['presale', 'aftersale'],
    });
    await router.upsertAgent(tenant, { agentId: 'c', capacity: 1, groups: ['aftersale'] });
    for (const a of agents) await router.setStatus(tenant, a, 'online');
    await router.configureGroup(tenant, 'aftersale', {
      strategy: 'round-robin',
      overflowGroupId: 'presale',
    });
    const truth: RoutingSnapshot = {
      presence: manualPresence,
      groups: [{ groupId: 'aftersale', strategy: 'round-robin', overflowGroupId: 'presale' }],
      agents: [],
      waiting: [],
    };
    for (let i = 0; i < 40; i++) {
      const request = {
        sessionId: `s${i}`,
        groupId: groups[i % 2] ?? 'presale',
        priority: i % 5 === 0 ? 7 : 0,
        enqueuedAt: 5_000 + i,
      };
      const result = await router.enqueue(tenant, request);
      if (result.status === 'queued') truth.waiting.push(request);
    }
    await router.setStatus(tenant, 'c', 'away');
    // What MongoDB and the workflows know: agent settings, presence, open sessions.
    for (const [agentId, capacity, agentGroups] of [
      ['a', 2, ['presale']],
      ['b', 2, ['presale', 'aftersale']],
      ['c', 1, ['aftersale']],
    ] as const) {
      truth.agents.push({
        agentId,
        capacity,
        groups: [...agentGroups],
        status: agentId === 'c' ? 'away' : 'online',
        openSessions: await router.sessionsOf(tenant, agentId),
      });
    }
    const before = await routingState(tenant, agents, groups);
    expect(before.queues.flat()).toHaveLength(35);

    // Nothing to restore while the state is intact... once it has been initialised.
    expect((await router.restore(tenant, truth)).restored).toBe(true);
    expect(await routingState(tenant, agents, groups)).toEqual(before);
    expect((await router.restore(tenant, { agents: [], waiting: [] })).restored).toBe(false);

    await redis.flushAll();
    expect(await router.intact(tenant)).toBe(false);
    // Waiting sessions come back in any order; the queue order is their own.
    const shuffled = { ...truth, waiting: [...truth.waiting].reverse() };
    const { restored, assignments } = await router.restore(tenant, shuffled);
    expect(restored).toBe(true);
    expect(assignments).toEqual([]);
    expect(await routingState(tenant, agents, groups)).toEqual(before);
    expect(await router.intact(tenant)).toBe(true);
    expect(await router.groupSettings(tenant, 'aftersale')).toEqual({
      strategy: 'round-robin',
      reserve: false,
      overflowGroupId: 'presale',
    });

    // And routing goes on from there: a freed seat takes the true head.
    const head = before.queues[0]?.[0];
    const drained = await router.release(tenant, 'a', truth.agents[0]?.openSessions[0] ?? '');
    expect(drained.map((d) => d.sessionId)).toEqual([head]);
  });

  it('when live calls land between reading the snapshot and restoring it, then what they wrote is kept', async () => {
    const tenant = uniqueId('tenant');
    // Read from MongoDB while the tenant was being configured: the agent not
    // online yet, the group still on its old strategy.
    const stale: RoutingSnapshot = {
      groups: [{ groupId: 'g', strategy: 'least-load' }],
      agents: [{ agentId: 'a', capacity: 2, groups: ['g'], status: 'offline', openSessions: [] }],
      waiting: [],
    };
    await router.configurePresence(tenant, manualPresence, []);
    await router.upsertAgent(tenant, { agentId: 'a', capacity: 2, groups: ['g'] });
    await router.setStatus(tenant, 'a', 'online');
    await router.configureGroup(tenant, 'g', { strategy: 'round-robin' });

    expect((await router.restore(tenant, stale)).restored).toBe(true);
    expect(await redis.zRange(routingKeys(tenant).available('g'), 0, -1)).toEqual(['a']);
    expect((await router.groupSettings(tenant, 'g'))?.strategy).toBe('round-robin');
    expect(
      await router.enqueue(tenant, { sessionId: 's', groupId: 'g', priority: 0, enqueuedAt: 1 }),
    ).toEqual({ status: 'assigned', agentId: 'a' });
  });

  it.each([
    [
      'a live upsert recreated the agent, then its guessed status gives way to the durable one',
      (tenant: string) => router.upsertAgent(tenant, { agentId: 'a', capacity: 1, groups: ['g'] }),
    ],
    [
      'the agent’s hash survived with only some fields, then the restore fills in the rest',
      (tenant: string) => redis.hSet(routingKeys(tenant).agent('a'), 'lastAssignedAt', '5'),
    ],
  ])('when after the loss %s', async (_case, leftBehind: (tenant: string) => Promise<unknown>) => {
    const tenant = uniqueId('tenant');
    await leftBehind(tenant);
    const truth: RoutingSnapshot = {
      presence: manualPresence,
      agents: [{ agentId: 'a', capacity: 1, groups: ['g'], status: 'online', openSessions: [] }],
      waiting: [{ sessionId: 'w', groupId: 'g', priority: 0, enqueuedAt: 1 }],
    };
    const { assignments } = await router.restore(tenant, truth);
    expect(assignments.map((a) => [a.sessionId, a.agentId])).toEqual([['w', 'a']]);
  });

  it('when the snapshot is malformed, then nothing is written', async () => {
    const tenant = uniqueId('tenant');
    await expect(
      router.restore(tenant, {
        agents: [{ agentId: 'a', capacity: -1, groups: ['g'], status: 'online', openSessions: [] }],
        waiting: [],
      }),
    ).rejects.toThrow(/snapshot\.agents\.0\.capacity/);
    expect(await redis.keys(`${routingKeys(tenant).prefix}*`)).toEqual([]);
  });
});
