import type { Assignment } from '../../domain/agents';
import { closeRedis, type RedisClient } from '../../runtime/connections';
import { routingKeys } from '../../routing/keys';
import { createRouter } from '../../routing/router';
import { testRedis } from '../support/redis';
import { uniqueId } from '../support/stack';
import { manualPresence } from '../support/manual-presence';

/**
 * 1,000 shoppers and 20 agents (capacity 3): arrivals, closes and status
 * changes race each other on separate Redis connections while a sampler
 * checks the invariants at every moment it looks.
 */

const AGENTS = 20;
const CAPACITY = 3;
const SHOPPERS = 1_000;
jest.setTimeout(120_000);

describe('routing under races', () => {
  const connections: RedisClient[] = [];
  afterAll(async () => {
    await Promise.all(connections.map(closeRedis));
  });

  it('when shoppers, closes and status changes race, then no agent is ever over capacity, FIFO holds, and nobody waits beside a free seat', async () => {
    for (let i = 0; i < 5; i++) connections.push(await testRedis());
    const [arrivalConn, closeConnA, closeConnB, statusConn, sampleConn] = connections as [
      RedisClient,
      RedisClient,
      RedisClient,
      RedisClient,
      RedisClient,
    ];
    const tenant = uniqueId('tenant');
    const keys = routingKeys(tenant);
    const agents = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
    const setup = createRouter(arrivalConn);
    await setup.configurePresence(tenant, manualPresence, []);
    for (const agentId of agents) {
      await setup.upsertAgent(tenant, { agentId, capacity: CAPACITY, groups: ['g'] });
      await setup.setStatus(tenant, agentId, 'online');
    }

    // What the test believes: who holds each open session, and each session's place in line.
    const holder = new Map<string, string>();
    const meta = new Map<string, { priority: number; arrival: number }>();
    const violations: string[] = [];
    const take = (made: Assignment[]) => made.forEach((a) => holder.set(a.sessionId, a.agentId));
    let arriving = true;
    let racing = true;

    const arrivals = (async () => {
      const router = createRouter(arrivalConn);
      for (let i = 0; i < SHOPPERS; i++) {
        const sessionId = `s-${i}`;
        const priority = i % 7 === 0 ? 5 : 0;
        meta.set(sessionId, { priority, arrival: i + 1 });
        const result = await router.enqueue(tenant, {
          sessionId,
          groupId: 'g',
          priority,
          enqueuedAt: i + 1,
        });
        if (result.status === 'assigned') holder.set(sessionId, result.agentId);
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      arriving = false;
    })();

    const closer = (conn: RedisClient) =>
      (async () => {
        const router = createRouter(conn);
        while (arriving) {
          const open = [...holder.entries()];
          const pick = open[Math.floor(Math.random() * open.length)];
          if (!pick) {
            await new Promise((resolve) => setTimeout(resolve, 2));
            continue;
          }
          const [sessionId, agentId] = pick;
          holder.delete(sessionId);
          take(await router.release(tenant, agentId, sessionId));
          // Shoppers arrive faster than chats close, so queues build up.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
        }
      })();

    const statusChanges = (async () => {
      const router = createRouter(statusConn);
      while (arriving) {
        const agentId = agents[Math.floor(Math.random() * AGENTS)] ?? 'agent-0';
        take(await router.setStatus(tenant, agentId, Math.random() < 0.5 ? 'away' : 'offline'));
        await new Promise((resolve) => setTimeout(resolve, 3));
        take(await router.setStatus(tenant, agentId, 'online'));
      }
    })();

    let samples = 0;
    let longestQueue = 0;
    const sampler = (async () => {
      while (racing) {
        // One MULTI: a consistent snapshot of every agent's load and the queue.
        const multi = sampleConn.multi();
        for (const agentId of agents) multi.sCard(keys.agentSessions(agentId));
        multi.zRange(keys.queue('g'), 0, -1);
        multi.hGetAll(keys.assignment);
        const replies = await multi.exec();
        const loads = replies.slice(0, AGENTS) as unknown as number[];
        const queued = replies[AGENTS] as unknown as string[];
        const assigned = replies[AGENTS + 1] as unknown as Record<string, string>;
        longestQueue = Math.max(longestQueue, queued.length);
        loads.forEach((load, i) => {
          if (load > CAPACITY) violations.push(`agent-${i} at ${load}/${CAPACITY}`);
        });
        // FIFO within a priority (and no lower priority ahead): nobody who
        // arrived later is with an agent while an earlier one still waits.
        const earliestWaiting = new Map<number, number>();
        for (const s of queued) {
          const m = meta.get(s);
          if (m && !(earliestWaiting.get(m.priority)! <= m.arrival))
            earliestWaiting.set(m.priority, m.arrival);
        }
        for (const s of Object.keys(assigned)) {
          const m = meta.get(s);
          if (!m) continue;
          for (const [priority, arrival] of earliestWaiting) {
            if (m.priority <= priority && m.arrival > arrival)
              violations.push(`${s} served before a waiting earlier arrival`);
          }
        }
        samples++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    await Promise.all([arrivals, closer(closeConnA), closer(closeConnB), statusChanges]);
    racing = false;
    await sampler;

    expect(violations.slice(0, 5)).toEqual([]);
    expect(samples).toBeGreaterThan(10);
    // The run did exercise queueing, not only instant assignment.
    expect(longestQueue).toBeGreaterThan(20);

    // Everyone back online: nobody may wait while any agent has a free seat.
    const router = createRouter(sampleConn);
    for (const agentId of agents) take(await router.setStatus(tenant, agentId, 'online'));
    const loads = await Promise.all(agents.map((a) => sampleConn.sCard(keys.agentSessions(a))));
    const waiting = await router.queueLength(tenant, 'g');
    if (waiting > 0) expect(loads.every((load) => load === CAPACITY)).toBe(true);
    // Sum of loads = open sessions, as Redis and as the test saw them.
    const open = await sampleConn.hLen(keys.assignment);
    expect(loads.reduce((sum, load) => sum + load, 0)).toBe(open);
    expect(open).toBe(holder.size);
    expect(holder.size + waiting).toBeLessThanOrEqual(SHOPPERS);
  });
});
