import type { ChildProcess } from 'node:child_process';
import type { Assignment } from '../../domain/agents';
import {
  closeRedis,
  connectMongo,
  connectRedis,
  type MongoHandle,
  type RedisClient,
} from '../../runtime/connections';
import { agentStore } from '../../stores/agents';
import { createRouter, type Router } from '../../routing/router';
import { createRoutingService, type RoutingService } from '../../routing/service';
import { sessionStore, type SessionStore } from '../../stores/sessions';
import { closeMongo } from '../support/mongo';
import { startOwnRedis } from '../support/own-redis';
import { testStack, uniqueDatabase, uniqueId } from '../support/stack';
import { manualPresenceTenants } from '../support/manual-presence';

/**
 * A heal reads MongoDB, then restores Redis in one script; a session that
 * closes in between released its seat while Redis had nothing to free, and
 * MongoDB still said "assigned" when it was read. The restore seats it again:
 * without settling, that seat would never be freed and the agent would lose
 * the capacity for good. (A Redis of this suite's own: FLUSHALL would hit
 * other suites.)
 */

let server: ChildProcess;
let redis: RedisClient;
let mongo: MongoHandle;
let router: Router;
let sessions: SessionStore;
const database = uniqueDatabase();

beforeAll(async () => {
  const own = await startOwnRedis();
  server = own.process;
  redis = await connectRedis(own.url, () => undefined);
  mongo = await connectMongo(testStack.mongodbUrl, database);
  router = createRouter(redis);
  sessions = sessionStore(mongo.db);
});
afterAll(async () => {
  await closeRedis(redis);
  await closeMongo(mongo, { drop: true });
  server.kill('SIGKILL');
});

/** A routing service whose every decision is recorded as told. */
function service(sessionsSeen: SessionStore, told: Assignment[]): RoutingService {
  return createRoutingService({
    router,
    agents: agentStore(mongo.db),
    sessions: sessionsSeen,
    tenants: manualPresenceTenants,
    tell: (_tenantId, assignment) => {
      told.push(assignment);
      return Promise.resolve('told');
    },
  });
}

/**
 * One agent with one seat, holding `held` (assigned, or offered in a group
 * whose agents accept), and `waiting` queued behind it; Redis then lost.
 */
async function tenantAfterLoss(heldPhase: 'assigned' | 'reserved' = 'assigned') {
  const tenantId = uniqueId('tenant');
  const held = uniqueId('held');
  const waiting = uniqueId('waiting');
  const agents = agentStore(mongo.db);
  await agents.upsertGroup(tenantId, 'g', { strategy: 'least-load', reserve: false });
  await agents.upsertAgent(tenantId, { agentId: 'ann', capacity: 1, groups: ['g'] });
  await agents.setStatus(tenantId, 'ann', 'online');
  for (const sessionId of [held, waiting]) {
    await sessions.recordOpened(
      {
        tenantId,
        sessionId,
        visitor: { id: uniqueId('visitor'), tags: [] },
        channel: 'web',
        entry: { type: 'order', ref: 'o1' },
      },
      new Date(),
    );
  }
  await sessions.project(tenantId, held, { phase: heldPhase, agentId: 'ann', groupId: 'g' });
  await sessions.project(tenantId, waiting, {
    phase: 'queued',
    groupId: 'g',
    priority: 0,
    enqueuedAt: 1,
  });
  // The state as routing had it, then lost.
  expect(await service(sessions, []).heal(tenantId)).toBe('rebuilt');
  expect(await router.sessionsOf(tenantId, 'ann')).toEqual([held]);
  await redis.flushAll();
  return { tenantId, held, waiting };
}

/** The session store as a heal sees it, with `meanwhile` run right after the heal's read. */
function racing(meanwhile: () => Promise<void>): SessionStore {
  let ran = false;
  return {
    ...sessions,
    async inPhases(tenantId, phases) {
      const read = await sessions.inPhases(tenantId, phases);
      if (!ran) {
        ran = true;
        await meanwhile();
      }
      return read;
    },
  };
}

describe('a session that closes while its tenant’s routing state is being restored', () => {
  it('when it closes between the heal’s read and its restore, then its seat is given back and the waiting session takes it', async () => {
    const { tenantId, held, waiting } = await tenantAfterLoss();
    const told: Assignment[] = [];
    // As the workflow closes: the seat released (Redis has nothing to free), then recorded.
    const healing = service(
      racing(async () => {
        await service(sessions, told).release(tenantId, 'ann', held);
        await sessions.project(tenantId, held, { phase: 'closed' });
      }),
      told,
    );

    expect(await healing.heal(tenantId)).toBe('rebuilt');

    expect(await router.sessionsOf(tenantId, 'ann')).toEqual([waiting]);
    expect(told.map((a) => [a.sessionId, a.agentId])).toEqual([[waiting, 'ann']]);
    expect(await router.restoredSeats(tenantId)).toEqual([]);
  });

  it('when it records its close only after the restore, then the next upkeep round gives the seat back', async () => {
    const { tenantId, held, waiting } = await tenantAfterLoss();
    const told: Assignment[] = [];
    const upkeep = service(sessions, told);
    const healing = service(
      racing(() => upkeep.release(tenantId, 'ann', held)),
      told,
    );

    expect(await healing.heal(tenantId)).toBe('rebuilt');
    // Still in doubt: MongoDB says assigned, so the seat is kept for now.
    expect(await router.sessionsOf(tenantId, 'ann')).toEqual([held]);
    expect(await router.restoredSeats(tenantId)).toEqual([{ sessionId: held, agentId: 'ann' }]);

    await sessions.project(tenantId, held, { phase: 'closed' });
    await upkeep.settleRestoredSeats(tenantId);

    expect(await router.sessionsOf(tenantId, 'ann')).toEqual([waiting]);
    expect(told.map((a) => [a.sessionId, a.agentId])).toEqual([[waiting, 'ann']]);
    expect(await router.restoredSeats(tenantId)).toEqual([]);
  });

  it('when its offer is declined and it goes back to the queue meanwhile, then the stranded seat is given back and the session queues again instead of being answered "assigned"', async () => {
    const { tenantId, held, waiting } = await tenantAfterLoss('reserved');
    const told: Assignment[] = [];
    const routing = service(sessions, told);
    // As the workflow handles the decline: the router has no offer to take back (the activity
    // swallows that refusal), then the session is recorded queued again.
    const healing = service(
      racing(async () => {
        await expect(routing.decline(tenantId, 'ann', held, false)).rejects.toThrow('not offered');
        await sessions.project(tenantId, held, { phase: 'queued' }, ['agentId']);
      }),
      told,
    );

    expect(await healing.heal(tenantId)).toBe('rebuilt');

    expect(await router.sessionsOf(tenantId, 'ann')).toEqual([waiting]);
    expect(told.map((a) => [a.sessionId, a.agentId])).toEqual([[waiting, 'ann']]);
    // The workflow re-asserts its queue entry: queued behind nobody, not "assigned" to ann.
    expect(
      await router.enqueue(tenantId, { sessionId: held, groupId: 'g', priority: 0, enqueuedAt: 1 }),
    ).toEqual({ status: 'queued', position: 1 });
    expect(await router.restoredSeats(tenantId)).toEqual([]);
  });

  it('when a queued session has a new decision in flight for the same agent, then its seat is not taken from it', async () => {
    const { tenantId, held, waiting } = await tenantAfterLoss();
    const routing = service(sessions, []);
    expect(await routing.heal(tenantId)).toBe('rebuilt');
    // The session left ann and came back to the queue (the waiting one took ann's seat and
    // has closed since); ann is picked for it again, and the decision is on its way to the
    // workflow, which still reads "queued".
    await router.release(tenantId, 'ann', held);
    await sessions.project(tenantId, held, { phase: 'queued' }, ['agentId']);
    await router.acknowledge(tenantId, waiting);
    await router.release(tenantId, 'ann', waiting);
    expect(
      await router.enqueue(tenantId, { sessionId: held, groupId: 'g', priority: 0, enqueuedAt: 1 }),
    ).toEqual({ status: 'assigned', agentId: 'ann' });

    await routing.settleRestoredSeats(tenantId);

    expect(await router.sessionsOf(tenantId, 'ann')).toEqual([held]);
    expect((await router.pending(tenantId)).map((a) => a.sessionId)).toEqual([held]);
    expect(await router.restoredSeats(tenantId)).toEqual([{ sessionId: held, agentId: 'ann' }]);
  });

  it('when the restored session is still open, then its seat stays, and a later close frees it once', async () => {
    const { tenantId, held, waiting } = await tenantAfterLoss();
    const told: Assignment[] = [];
    const routing = service(sessions, told);

    expect(await routing.heal(tenantId)).toBe('rebuilt');
    await routing.settleRestoredSeats(tenantId);
    expect(await router.sessionsOf(tenantId, 'ann')).toEqual([held]);
    expect(await router.position(tenantId, waiting)).toBe(1);

    // The session's own close frees the seat; settling afterwards changes nothing more.
    await routing.release(tenantId, 'ann', held);
    await sessions.project(tenantId, held, { phase: 'closed' });
    await routing.settleRestoredSeats(tenantId);
    expect(await router.sessionsOf(tenantId, 'ann')).toEqual([waiting]);
    expect(told.map((a) => a.sessionId)).toEqual([waiting]);
    expect(await router.restoredSeats(tenantId)).toEqual([]);
  });
});
