import { told } from '../../api/http/session-calls';
import { sessionWorkflowId } from '../../domain/session';
import { byScope, summary } from '../../reports/queries';
import { rebuildReports } from '../../reports/rebuild';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { closeUpdate, rateUpdate, transferUpdate } from '../../workflows/contract';
import type { CloseRequest } from '../../domain/session-commands';
import { testOperatorToken } from '../support/api-client';
import { startTestEngine, type TestEngine } from '../support/engine';
import { routingDesk, type RoutingDesk } from '../support/routing-desk';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/**
 * Report facts are recorded by the step that records the session's event,
 * so a worker killed without warning in the middle of a step neither loses
 * nor doubles one: sessions whose worker is killed right after each command
 * (open, assignment, transfer, close, rating) leave rollups that a rebuild
 * from the stored sessions, marks and messages reproduces exactly.
 */

jest.setTimeout(600_000);

let engine: TestEngine;
let redis: RedisClient;
let desk: RoutingDesk;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken }, { inProcessWorker: false });
  redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
  desk = routingDesk(engine.app, engine.db, redis, engine.temporal.client);
});
afterAll(async () => {
  await worker?.kill();
  await closeRedis(redis);
  await engine.close();
});

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Kills the worker `afterMs` after a command went out (mid-step, most of the time) and starts another. */
async function killMidStep(afterMs: number): Promise<void> {
  await pause(afterMs);
  await worker?.kill();
  worker = await startWorkerProcess(engine.config);
}

/**
 * As the API sends commands: the same update asked again while a killed task
 * is retried. A killed task waits out its timeout before another worker
 * takes it, and a new worker process starts slowly beside a full test run.
 */
const killedTaskRetry = {
  waitMs: 150_000,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

describe('reports across crashes', () => {
  it('when the worker is killed mid-step after each command of three sessions (served and rated, transferred, abandoned), then every fact counts once and the rollups equal a rebuild', async () => {
    const tenantId = await engine.createTenant({ robot: { enabled: false }, locale: 'en' });
    await desk.routing.configureGroup(tenantId, 'default', {});
    for (const agentId of ['ann', 'bob']) {
      await desk.routing.configureAgent(tenantId, { agentId, capacity: 2, groups: ['default'] });
    }
    worker = await startWorkerProcess(engine.config);
    const handleOf = (sessionId: string) =>
      engine.temporal.client.workflow.getHandle(sessionWorkflowId(tenantId, sessionId));
    /** An update sent, the worker killed under it, and the update asked again by the same id. */
    const commandThroughKill = async (send: () => Promise<unknown>) => {
      const first = send().catch(() => undefined);
      await killMidStep(30);
      await first;
      await told(send, killedTaskRetry);
    };
    const closeBy = (agentId: string): CloseRequest => ({
      by: { type: 'agent', agentId, supervisor: false },
    });

    // S1: queued, ann comes online and takes it, closes it, the shopper rates 4.
    const s1 = await desk.open(tenantId);
    await killMidStep(20);
    await desk.waitFor(tenantId, s1, (s) => s.queuePosition !== undefined, 60_000);
    await desk.routing.setStatus(tenantId, 'ann', 'online');
    await killMidStep(20);
    await desk.waitFor(tenantId, s1, (s) => s.phase === 'assigned', 60_000);
    await commandThroughKill(() =>
      handleOf(s1).executeUpdate(closeUpdate, { args: [closeBy('ann')], updateId: 's1-close' }),
    );
    await commandThroughKill(() =>
      handleOf(s1).executeUpdate(rateUpdate, { args: [{ score: 4 }], updateId: 's1-rate' }),
    );
    await handleOf(s1).result();

    // S2: ann takes it at once, passes it to bob, who closes it; no rating.
    await desk.routing.setStatus(tenantId, 'bob', 'online');
    const s2 = await desk.open(tenantId);
    await killMidStep(20);
    const taken = await desk.waitFor(tenantId, s2, (s) => s.phase === 'assigned', 60_000);
    const from = taken.agentId ?? 'ann';
    const to = from === 'ann' ? 'bob' : 'ann';
    await commandThroughKill(() =>
      handleOf(s2).executeUpdate(transferUpdate, {
        args: [{ by: { type: 'agent', agentId: from, supervisor: false }, toAgentId: to }],
        updateId: 's2-transfer',
      }),
    );
    await desk.waitFor(tenantId, s2, (s) => s.phase === 'assigned' && s.agentId === to, 60_000);
    await commandThroughKill(() =>
      handleOf(s2).executeUpdate(closeUpdate, { args: [closeBy(to)], updateId: 's2-close' }),
    );

    // S3: nobody online, the shopper gives up in the queue.
    await desk.routing.setStatus(tenantId, 'ann', 'away');
    await desk.routing.setStatus(tenantId, 'bob', 'away');
    const s3 = await desk.open(tenantId);
    await killMidStep(20);
    await desk.waitFor(tenantId, s3, (s) => s.queuePosition !== undefined, 60_000);
    await commandThroughKill(() =>
      handleOf(s3).executeUpdate(closeUpdate, {
        args: [{ by: { type: 'visitor' } }],
        updateId: 's3-close',
      }),
    );
    await handleOf(s3).result();
    await desk.waitFor(tenantId, s2, (s) => s.phase === 'closed' || s.phase === 'rated', 60_000);

    // Every fact once.
    const facts = await collections(engine.db).reportFacts.find({ tenantId }).toArray();
    expect(facts.map((f) => f.kind).sort()).toEqual(['rating', 'session', 'session', 'session']);

    // The live rollups: the days around today in the tenant's zone (UTC: no schedule).
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const range = { from: day(-1), to: day(1) };
    const read = async () => ({
      summary: await summary(engine.db, tenantId, range),
      agents: await byScope(engine.db, tenantId, range, 'agent'),
      groups: await byScope(engine.db, tenantId, range, 'group'),
    });
    const live = await read();
    expect(live.summary.figures).toMatchObject({
      sessions: 3,
      handled: 2,
      abandoned: 1,
      transfers: 1,
      ratings: 1,
      scoreDistribution: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 0 },
      closeReasons: { agent: 2, abandoned: 1 },
    });
    // ann served S1 and held S2 (first or second), bob held S2.
    expect(live.agents.map((a) => [a.id, a.figures.handled])).toEqual([
      ['ann', 2],
      ['bob', 1],
    ]);

    // A rebuild from what is stored gives the same rollups.
    const rebuilt = await rebuildReports(engine.db, { tenantId, ...range });
    expect(rebuilt.sessions).toBe(3);
    expect(await read()).toEqual(live);
  });
});
