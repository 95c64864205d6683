import { told } from '../../api/http/session-calls';
import type { EventType } from '../../domain/events';
import { sessionWorkflowId } from '../../domain/session';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { closeUpdate, rateUpdate } from '../../workflows/contract';
import { callOk, operatorTenant, testOperatorToken } from '../support/api-client';
import { startTestEngine, until, type TestEngine } from '../support/engine';
import { startGatewayProcess } from '../support/gateway-process';
import { routingDesk, type RoutingDesk } from '../support/routing-desk';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/**
 * Events are recorded by the step that records their fact, so a process
 * killed without warning in the middle of that step neither loses nor
 * doubles one: the session worker killed right after each command of a
 * session's life, and the API killed while status changes are in flight
 * (the callers then retry, as clients do).
 */

jest.setTimeout(240_000);

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

/** How many events of each type the tenant's outbox holds for the session. */
async function eventCounts(tenantId: string, sessionId: string) {
  const docs = await collections(engine.db).events.find({ tenantId, sessionId }).toArray();
  const counts: Partial<Record<EventType, number>> = {};
  for (const doc of docs) counts[doc.type] = (counts[doc.type] ?? 0) + 1;
  return counts;
}

/** As the API sends commands: the same update asked again while a killed task is retried. */
const killedTaskRetry = {
  waitMs: 60_000,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

describe('events across crashes', () => {
  it('when the worker is killed just after each command of a session (open, assignment, close, rating), then each session event is recorded exactly once', async () => {
    const tenantId = await engine.createTenant({ robot: { enabled: false }, locale: 'en' });
    await desk.routing.configureGroup(tenantId, 'default', {});
    await desk.routing.configureAgent(tenantId, {
      agentId: 'ann',
      capacity: 1,
      groups: ['default'],
    });
    worker = await startWorkerProcess(engine.config);
    const sessionId = await desk.open(tenantId);
    await killMidStep(20);
    await desk.waitFor(tenantId, sessionId, (s) => s.queuePosition !== undefined, 60_000);

    await desk.routing.setStatus(tenantId, 'ann', 'online');
    await killMidStep(20);
    await desk.waitFor(tenantId, sessionId, (s) => s.phase === 'assigned', 60_000);

    const handle = engine.temporal.client.workflow.getHandle(
      sessionWorkflowId(tenantId, sessionId),
    );
    const closeBy = { by: { type: 'agent' as const, agentId: 'ann', supervisor: false } };
    // The update goes out, the worker dies under it, and the caller asks again by the same id.
    const closing = handle
      .executeUpdate(closeUpdate, { args: [closeBy], updateId: 'close-1' })
      .catch(() => undefined);
    await killMidStep(30);
    await closing;
    await told(
      () => handle.executeUpdate(closeUpdate, { args: [closeBy], updateId: 'close-1' }),
      killedTaskRetry,
    );
    await desk.waitFor(tenantId, sessionId, (s) => s.phase === 'closed', 60_000);

    const rating = handle
      .executeUpdate(rateUpdate, { args: [{ score: 4 }], updateId: 'rate-1' })
      .catch(() => undefined);
    await killMidStep(30);
    await rating;
    await told(
      () => handle.executeUpdate(rateUpdate, { args: [{ score: 4 }], updateId: 'rate-1' }),
      killedTaskRetry,
    );
    await handle.result();

    expect(await eventCounts(tenantId, sessionId)).toEqual({
      'session.opened': 1,
      'session.queued': 1,
      'session.assigned': 1,
      'session.closed': 1,
      'session.rated': 1,
    });
  });

  it('when the API is killed while status changes are in flight and the callers retry them, then each change is one agent.status_changed', async () => {
    const { tenantId, adminKey } = await operatorTenant(engine.app);
    const agents = Array.from({ length: 40 }, (_, i) => `agent-${i}`);
    for (const agentId of agents) {
      await callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}`, {
        token: adminKey,
        body: { capacity: 2, groups: ['default'] },
      });
    }
    const setOnline = (url: string, agentId: string) =>
      fetch(`${url}/api/v1/agents/${agentId}/status`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'online' }),
      }).then(
        (response) => response.status,
        () => 'lost' as const,
      );

    const first = await startGatewayProcess(engine.config);
    // One request every 10 ms, the API killed once a few have been answered: some are
    // answered, some die inside the API, the rest find it gone.
    let answered = 0;
    const inFlight = agents.map(async (agentId, i) => {
      await pause(10 * i);
      const status = await setOnline(first.url, agentId);
      if (status === 200) answered++;
      return status;
    });
    await until(() => (answered >= 3 ? true : undefined));
    await first.kill();
    const answers = await Promise.all(inFlight);
    expect(answers).toContain(200);
    expect(answers).toContain('lost');

    // The callers retry (every one of them: an answered request sent again changes nothing).
    const second = await startGatewayProcess(engine.config);
    try {
      const retried = await Promise.all(agents.map((agentId) => setOnline(second.url, agentId)));
      expect(retried.every((status) => status === 200)).toBe(true);
    } finally {
      await second.stop();
    }
    const changes = await collections(engine.db)
      .events.find({ tenantId, type: 'agent.status_changed' })
      .toArray();
    const perAgent = new Map<string, number>();
    for (const change of changes) {
      expect(change.data).toMatchObject({ status: 'online', previousStatus: 'offline' });
      const agentId = String(change.data.agentId);
      perAgent.set(agentId, (perAgent.get(agentId) ?? 0) + 1);
    }
    expect(Object.fromEntries(perAgent)).toEqual(Object.fromEntries(agents.map((a) => [a, 1])));
  });
});
