import { closeRedis, type RedisClient } from '../../runtime/connections';
import { RoutingInputError, createRouter, type Router } from '../../routing/router';
import { tenantPrefix } from '../../stores/redis/keys';
import { testRedis } from '../support/redis';
import { uniqueId } from '../support/stack';
import { manualPresence } from '../support/manual-presence';

/** The routing core's decisions, one at a time, on the real Redis. */

let redis: RedisClient;
let clock: number;
let router: Router;
let tenant: string;

beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await closeRedis(redis);
});
beforeEach(async () => {
  clock = 1_000;
  // Each decision happens one millisecond after the previous one.
  router = createRouter(redis, () => ++clock);
  tenant = uniqueId('tenant');
  await router.configurePresence(tenant, manualPresence, []);
});

const agent = (agentId: string, capacity = 3, groups = ['g']) =>
  router.upsertAgent(tenant, { agentId, capacity, groups });
const online = async (...agents: string[]) => {
  for (const id of agents) await router.setStatus(tenant, id, 'online');
};
let arrivals = 0;
const enqueue = (sessionId: string, priority = 0, groupId = 'g', preferredAgentId?: string) =>
  router.enqueue(tenant, {
    sessionId,
    groupId,
    priority,
    enqueuedAt: ++arrivals,
    preferredAgentId,
  });
const assignedTo = async (...sessions: string[]) => {
  const out: string[] = [];
  for (const s of sessions) {
    const result = await enqueue(s);
    out.push(result.status === 'assigned' ? result.agentId : `queued#${result.position}`);
  }
  return out;
};

describe('least-load (default)', () => {
  it('when agents have free capacity, then each session goes to the least-loaded, ties to the longest since their last assignment', async () => {
    await agent('a');
    await agent('b');
    await agent('c');
    await online('a', 'b', 'c');
    expect(await assignedTo('s1', 's2', 's3', 's4', 's5')).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('when loads are equal again, then the agent who waited longest since an assignment is next', async () => {
    await agent('a');
    await agent('b');
    await online('a', 'b');
    expect(await assignedTo('s1', 's2')).toEqual(['a', 'b']);
    // b closes first, then a: both at load 0, a's last assignment is older.
    await router.release(tenant, 'b', 's2');
    await router.release(tenant, 'a', 's1');
    expect(await assignedTo('s3')).toEqual(['a']);
  });

  it('when every agent is full, then the session queues, and a freed seat takes the head at once', async () => {
    await agent('a', 1);
    await online('a');
    expect(await assignedTo('s1', 's2', 's3')).toEqual(['a', 'queued#1', 'queued#2']);
    const drained = await router.release(tenant, 'a', 's1');
    expect(drained.map((d) => [d.sessionId, d.agentId])).toEqual([['s2', 'a']]);
    expect(await router.position(tenant, 's3')).toBe(1);
    // Releasing the same session again frees nothing.
    expect(await router.release(tenant, 'a', 's1')).toEqual([]);
    expect(await router.sessionsOf(tenant, 'a')).toEqual(['s2']);
  });
});

describe('round-robin', () => {
  it('when the group is round-robin, then the longest-idle agent is next regardless of load', async () => {
    await router.configureGroup(tenant, 'g', { strategy: 'round-robin' });
    await agent('a');
    await agent('b');
    await online('a', 'b');
    expect(await assignedTo('s1', 's2')).toEqual(['a', 'b']);
    await router.release(tenant, 'b', 's2'); // b: load 0 but assigned more recently than a
    expect(await assignedTo('s3', 's4')).toEqual(['a', 'b']);
  });
});

describe('sticky', () => {
  it('when the previous agent is online with room, then it gets the session even if others are less loaded', async () => {
    await agent('a');
    await agent('b');
    await online('a', 'b');
    await enqueue('s1'); // a
    expect(await enqueue('s2', 0, 'g', 'a')).toEqual({ status: 'assigned', agentId: 'a' });
  });

  it('when the previous agent is away or full, then the group strategy decides', async () => {
    await agent('a', 1);
    await agent('b');
    await online('a', 'b');
    await enqueue('s1'); // a, now full
    expect(await enqueue('s2', 0, 'g', 'a')).toEqual({ status: 'assigned', agentId: 'b' });
    await router.setStatus(tenant, 'b', 'away');
    await router.release(tenant, 'a', 's1');
    await router.setStatus(tenant, 'a', 'away');
    expect(await enqueue('s3', 0, 'g', 'b')).toEqual({ status: 'queued', position: 1 });
  });
});

describe('priority and queues', () => {
  it('when sessions of several priorities wait, then higher priority is served first, FIFO within a priority', async () => {
    await agent('a', 4);
    await enqueue('low-1', 0);
    await enqueue('high-1', 5);
    await enqueue('low-2', 0);
    await enqueue('high-2', 5);
    expect(
      await Promise.all(
        ['high-1', 'high-2', 'low-1', 'low-2'].map((s) => router.position(tenant, s)),
      ),
    ).toEqual([1, 2, 3, 4]);
    const drained = await router.setStatus(tenant, 'a', 'online');
    expect(drained.map((d) => d.sessionId)).toEqual(['high-1', 'high-2', 'low-1', 'low-2']);
  });

  it('when an agent serves two groups, then it takes the best head across both', async () => {
    await agent('a', 1, ['presale', 'aftersale']);
    await enqueue('pre-old', 0, 'presale');
    await enqueue('after-vip', 9, 'aftersale');
    const drained = await router.setStatus(tenant, 'a', 'online');
    expect(drained.map((d) => [d.sessionId, d.groupId])).toEqual([['after-vip', 'aftersale']]);
    expect(await router.position(tenant, 'pre-old')).toBe(1);
  });

  it('when a session is enqueued again, then it keeps its place or its agent (re-assert is safe)', async () => {
    await agent('a', 1);
    await online('a');
    await enqueue('s1');
    await enqueue('s2');
    await enqueue('s3');
    expect(
      await router.enqueue(tenant, { sessionId: 's2', groupId: 'g', priority: 0, enqueuedAt: 999 }),
    ).toEqual({ status: 'queued', position: 1 });
    expect(
      await router.enqueue(tenant, { sessionId: 's1', groupId: 'g', priority: 0, enqueuedAt: 999 }),
    ).toEqual({ status: 'assigned', agentId: 'a' });
    expect(await router.queueLength(tenant, 'g')).toBe(2);
  });

  it('when the group has been assigning, then a waiting session gets an estimated wait from that rate', async () => {
    await agent('a', 1);
    await online('a');
    await enqueue('s1');
    const firstAssignedAt = clock;
    await enqueue('s2');
    await enqueue('s3');
    expect(await router.queuePosition(tenant, 's2')).toEqual({
      groupId: 'g',
      position: 1,
      estimatedWaitMs: undefined,
    });
    clock = firstAssignedAt + 999; // the release (and s2's assignment) comes 1 s after s1's
    await router.release(tenant, 'a', 's1');
    expect(await router.queuePosition(tenant, 's3')).toEqual({
      groupId: 'g',
      position: 1,
      estimatedWaitMs: 1_000,
    });
  });

  it('when a waiting session gives up, then it leaves the queue and the others move up', async () => {
    await agent('a', 0);
    await enqueue('s1');
    await enqueue('s2');
    expect(await router.cancel(tenant, 's1')).toBe(true);
    expect(await router.cancel(tenant, 's1')).toBe(false);
    expect(await router.position(tenant, 's2')).toBe(1);
  });
});

describe('presence and capacity', () => {
  it('when an agent goes away, then it gets nothing new but keeps its sessions; back online, it drains the queue', async () => {
    await agent('a', 2);
    await online('a');
    await enqueue('s1');
    await router.setStatus(tenant, 'a', 'away');
    expect(await enqueue('s2')).toEqual({ status: 'queued', position: 1 });
    expect(await router.sessionsOf(tenant, 'a')).toEqual(['s1']);
    expect((await router.setStatus(tenant, 'a', 'online')).map((d) => d.sessionId)).toEqual(['s2']);
  });

  it('when capacity is raised, then waiting sessions are assigned in the same step; lowered, nobody is taken away', async () => {
    await agent('a', 1);
    await online('a');
    await assignedTo('s1', 's2', 's3');
    expect((await agent('a', 3)).map((d) => d.sessionId)).toEqual(['s2', 's3']);
    await agent('a', 1);
    expect((await router.sessionsOf(tenant, 'a')).sort()).toEqual(['s1', 's2', 's3']);
    expect(await enqueue('s4')).toEqual({ status: 'queued', position: 1 });
  });

  it('when a decision is made, then it stays pending until the workflow acknowledges it', async () => {
    await agent('a');
    await online('a');
    await enqueue('s1');
    expect((await router.pending(tenant)).map((p) => [p.sessionId, p.agentId, p.groupId])).toEqual([
      ['s1', 'a', 'g'],
    ]);
    await router.acknowledge(tenant, 's1');
    expect(await router.pending(tenant)).toEqual([]);
  });

  it('when two tenants use the same ids, then their routing never mixes', async () => {
    const other = uniqueId('tenant');
    await agent('a', 1);
    await online('a');
    await router.upsertAgent(other, { agentId: 'a', capacity: 1, groups: ['g'] });
    await enqueue('s1');
    expect(
      await router.enqueue(other, { sessionId: 's1', groupId: 'g', priority: 0, enqueuedAt: 1 }),
    ).toEqual({ status: 'queued', position: 1 });
  });
});

describe('group settings', () => {
  it('when a group is configured, then its strategy, reservation and overflow group read back; unset groups read defaults', async () => {
    await router.configureGroup(tenant, 'presale', {
      strategy: 'round-robin',
      reserve: true,
      overflowGroupId: 'backup',
    });
    expect(await router.groupSettings(tenant, 'presale')).toEqual({
      strategy: 'round-robin',
      reserve: true,
      overflowGroupId: 'backup',
    });
    expect(await router.groupSettings(tenant, 'never-set')).toEqual({
      strategy: 'least-load',
      reserve: false,
    });
  });

  it('when a group would overflow into itself, then it is refused', async () => {
    await expect(router.configureGroup(tenant, 'g', { overflowGroupId: 'g' })).rejects.toThrow(
      /group.overflowGroupId/,
    );
    expect(await router.groupSettings(tenant, 'g')).toEqual({
      strategy: 'least-load',
      reserve: false,
    });
  });
});

describe('reservations', () => {
  beforeEach(async () => {
    await router.configureGroup(tenant, 'g', { reserve: true });
  });

  it('when a session is offered, then it holds a seat until accepted, and only the offered agent can accept', async () => {
    await agent('a', 1);
    await agent('b', 1);
    await online('a', 'b');
    expect(await enqueue('s1')).toEqual({ status: 'assigned', agentId: 'a' });
    expect(await router.pending(tenant)).toEqual([
      expect.objectContaining({ sessionId: 's1', agentId: 'a', offer: true }),
    ]);
    expect(await enqueue('s2')).toEqual({ status: 'assigned', agentId: 'b' });
    expect(await enqueue('s3')).toEqual({ status: 'queued', position: 1 });
    expect(await router.accept(tenant, 'b', 's1')).toBe(false);
    expect(await router.accept(tenant, 'a', 's1')).toBe(true);
    expect(await router.accept(tenant, 'a', 's1')).toBe(false);
  });

  it('when the agent rejects or misses the offer, then the next agent is offered it and the missed agent can go away', async () => {
    await agent('a', 2);
    await agent('b', 2);
    await online('a', 'b');
    await enqueue('s1'); // offered to a
    const next = await router.decline(tenant, 'a', 's1', { awayAfterMiss: true });
    expect(next.map((d) => [d.sessionId, d.agentId])).toEqual([['s1', 'b']]);
    expect(await router.sessionsOf(tenant, 'a')).toEqual([]);
    // a is away now: the next session goes to b even though a is emptier.
    expect(await enqueue('s2')).toEqual({ status: 'assigned', agentId: 'b' });
  });

  it('when nobody else can take it, then the session returns to its place in the queue and the decliner never gets it again', async () => {
    await agent('a', 1);
    await online('a');
    await enqueue('s1'); // offered to a
    await enqueue('s2'); // queued: a's only seat is held by the offer
    const after = await router.decline(tenant, 'a', 's1', { awayAfterMiss: false });
    // a's freed seat goes to s2, which a has not declined; s1 waits at the head.
    expect(after.map((d) => [d.sessionId, d.agentId])).toEqual([['s2', 'a']]);
    expect(await router.position(tenant, 's1')).toBe(1);
    await router.release(tenant, 'a', 's2');
    expect(await router.position(tenant, 's1')).toBe(1);
    await agent('b', 1);
    expect(
      (await router.setStatus(tenant, 'b', 'online')).map((d) => [d.sessionId, d.agentId]),
    ).toEqual([['s1', 'b']]);
  });
});

describe('bad input', () => {
  const keysOf = async () => (await redis.keys(`${tenantPrefix(tenant)}*`)).sort();

  it.each<[string, () => Promise<unknown>, string]>([
    [
      'a negative capacity',
      () => router.upsertAgent(tenant, { agentId: 'a', capacity: -1, groups: ['g'] }),
      'agent.capacity',
    ],
    [
      'no groups',
      () => router.upsertAgent(tenant, { agentId: 'a', capacity: 1, groups: [] }),
      'agent.groups',
    ],
    ['an unknown status', () => router.setStatus(tenant, 'a', 'lunch' as 'away'), 'status'],
    ['an unknown agent', () => router.setStatus(tenant, 'nobody', 'online'), 'agentId'],
    [
      'a priority of 10',
      () => router.enqueue(tenant, { sessionId: 's', groupId: 'g', priority: 10, enqueuedAt: 1 }),
      'request.priority',
    ],
    [
      'a group id with spaces',
      () => router.enqueue(tenant, { sessionId: 's', groupId: 'g 1', priority: 0, enqueuedAt: 1 }),
      'request.groupId',
    ],
    [
      'an unknown strategy',
      () => router.configureGroup(tenant, 'g', { strategy: 'random' as 'round-robin' }),
      'group.strategy',
    ],
    [
      'a decline of an offer made to someone else',
      () => router.decline(tenant, 'a', 'never-offered', { awayAfterMiss: true }),
      'sessionId',
    ],
  ])(
    'when given %s, then it is refused naming the field and nothing changes',
    async (_name, call, field) => {
      await agent('a', 1);
      const before = await keysOf();
      const error: unknown = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RoutingInputError);
      expect((error as RoutingInputError).field).toBe(field);
      expect(await keysOf()).toEqual(before);
    },
  );
});

describe('transfers', () => {
  const transfer = (from: string, to: { toAgentId: string } | { toGroupId: string }) =>
    router.transfer(tenant, { sessionId: 's1', fromAgentId: from, priority: 0, ...to });

  it('when a transfer to an agent is asked again after its answer was lost, then it answers the same and nothing moves twice', async () => {
    await agent('a');
    await agent('b');
    await online('a', 'b');
    expect(await assignedTo('s1')).toEqual(['a']);
    const first = await transfer('a', { toAgentId: 'b' });
    expect(first.result).toEqual({ status: 'assigned', agentId: 'b' });
    expect((await transfer('a', { toAgentId: 'b' })).result).toEqual(first.result);
    expect(await router.sessionsOf(tenant, 'a')).toEqual([]);
    expect(await router.sessionsOf(tenant, 'b')).toEqual(['s1']);
    // Anything else the old agent asks of the session is still refused.
    await expect(transfer('a', { toAgentId: 'a' })).rejects.toThrow(RoutingInputError);
  });

  it('when a transfer to a group is asked again after its answer was lost, then it answers with where the session is now', async () => {
    await agent('a', 3, ['g']);
    await agent('h1', 1, ['h']);
    await online('a');
    expect(await assignedTo('s1')).toEqual(['a']);
    // Nobody in h is online: the session waits there.
    const first = await transfer('a', { toGroupId: 'h' });
    expect(first.result).toEqual({ status: 'queued', position: 1 });
    expect((await transfer('a', { toGroupId: 'h' })).result).toEqual(first.result);
    expect(await router.queueLength(tenant, 'h')).toBe(1);
    // Once h1 comes online and takes it, the same retry names h1.
    await online('h1');
    expect((await transfer('a', { toGroupId: 'h' })).result).toEqual({
      status: 'assigned',
      agentId: 'h1',
    });
  });

  it('when an agent who never held the session asks to move it, then it is refused', async () => {
    await agent('a');
    await agent('b');
    await online('a', 'b');
    expect(await assignedTo('s1')).toEqual(['a']);
    await expect(transfer('b', { toAgentId: 'a' })).rejects.toThrow(RoutingInputError);
    await expect(transfer('b', { toGroupId: 'g' })).rejects.toThrow(RoutingInputError);
  });
});
