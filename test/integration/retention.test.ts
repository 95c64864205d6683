import { NativeConnection } from '@temporalio/worker';
import { closeRedis, type RedisClient } from '../../runtime/connections';
import { createLogger } from '../../runtime/logger';
import { collections, type SessionDoc } from '../../stores/collections';
import { tenantStore } from '../../stores/tenants';
import { applyRetention } from '../../workers/retention';
import { createSessionWorker } from '../../workers/session-worker';
import { call, operatorTenant, testOperatorToken } from '../support/api-client';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { testRedis } from '../support/redis';
import { uniqueId } from '../support/stack';

/**
 * A tenant's retention period: the worker removes sessions that ended more
 * than N days ago, with their messages and read marks, resolved tickets and
 * outreach of that age; open sessions and open tickets stay whatever their age.
 */
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
});
afterAll(async () => {
  await engine.close();
});

const day = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * day);
const log = createLogger('warn', { process: 'retention-test' });

/** A stored session, as the workflow's activities would have left it, with one message and read mark. */
async function storedSession(
  tenantId: string,
  shape: Pick<SessionDoc, 'phase' | 'startedAt'> & Partial<SessionDoc>,
): Promise<string> {
  const c = collections(engine.db);
  const sessionId = uniqueId('session');
  await c.sessions.insertOne({
    _id: sessionId,
    tenantId,
    visitorId: uniqueId('visitor'),
    channel: 'web',
    entry: { type: 'order' },
    ...shape,
  });
  await c.messages.insertOne({
    _id: `${tenantId}/${sessionId}/1`,
    tenantId,
    sessionId,
    seq: 1,
    messageId: uniqueId('m'),
    kind: 'text',
    sender: { type: 'visitor' },
    text: 'hello',
    visitorCount: 1,
    createdAt: shape.startedAt,
  });
  await c.readMarks.insertOne({
    _id: `${tenantId}:${sessionId}:visitor`,
    tenantId,
    sessionId,
    reader: 'visitor',
    seq: 1,
    updatedAt: shape.startedAt,
  });
  return sessionId;
}

async function storedTicket(tenantId: string, status: 'open' | 'resolved', at: Date) {
  const ticketId = uniqueId('ticket');
  await collections(engine.db).tickets.insertOne({
    _id: ticketId,
    tenantId,
    sessionId: uniqueId('session'),
    visitorId: uniqueId('visitor'),
    contact: {},
    content: 'call me',
    status,
    ...(status === 'resolved' ? { resolvedAt: at } : {}),
    createdAt: at,
    updatedAt: at,
  });
  return ticketId;
}

/** A tenant's data of every age: what retention must take and what it must leave. */
async function agedData(tenantId: string) {
  return {
    oldClosed: await storedSession(tenantId, {
      phase: 'closed',
      startedAt: daysAgo(40),
      closedAt: daysAgo(40),
    }),
    oldRated: await storedSession(tenantId, {
      phase: 'rated',
      startedAt: daysAgo(35),
      closedAt: daysAgo(35),
      rating: { score: 4, at: daysAgo(35) },
    }),
    recentClosed: await storedSession(tenantId, {
      phase: 'closed',
      startedAt: daysAgo(2),
      closedAt: daysAgo(2),
    }),
    // Started long ago and still served: never removed for age.
    oldOpen: await storedSession(tenantId, { phase: 'assigned', startedAt: daysAgo(60) }),
    oldResolvedTicket: await storedTicket(tenantId, 'resolved', daysAgo(45)),
    oldOpenTicket: await storedTicket(tenantId, 'open', daysAgo(45)),
  };
}

async function present(tenantId: string, data: Awaited<ReturnType<typeof agedData>>) {
  const c = collections(engine.db);
  const sessions = async (id: string) =>
    Boolean(await c.sessions.findOne({ _id: id })) &&
    (await c.messages.countDocuments({ tenantId, sessionId: id })) > 0 &&
    (await c.readMarks.countDocuments({ tenantId, sessionId: id })) > 0;
  return {
    oldClosed: await sessions(data.oldClosed),
    oldRated: await sessions(data.oldRated),
    recentClosed: await sessions(data.recentClosed),
    oldOpen: await sessions(data.oldOpen),
    oldResolvedTicket: Boolean(await c.tickets.findOne({ _id: data.oldResolvedTicket })),
    oldOpenTicket: Boolean(await c.tickets.findOne({ _id: data.oldOpenTicket })),
  };
}

/** What retention leaves: recent data and open work. */
const afterRetention = {
  oldClosed: false,
  oldRated: false,
  recentClosed: true,
  oldOpen: true,
  oldResolvedTicket: false,
  oldOpenTicket: true,
};
const untouched = Object.fromEntries(Object.keys(afterRetention).map((k) => [k, true]));

it('when a tenant keeps data 30 days and a retention round runs, then sessions that ended before, with their messages, read marks and ratings, and tickets resolved before are gone; recent and open ones stay, and a tenant without a period keeps everything', async () => {
  const shop = await operatorTenant(engine.app);
  const keeper = await operatorTenant(engine.app);
  const api = (method: string, body?: unknown) =>
    call(engine.app, method, '/api/v1/retention', { token: shop.adminKey, body });

  expect(await api('GET')).toMatchObject({ status: 200, body: { retentionDays: null } });
  expect(await api('PUT', { retentionDays: 0 })).toMatchObject({
    status: 400,
    body: { error: { fields: [{ path: 'retentionDays' }] } },
  });
  expect(await api('PUT', { retentionDays: 30 })).toMatchObject({
    status: 200,
    body: { retentionDays: 30 },
  });
  expect(await api('GET')).toMatchObject({ body: { retentionDays: 30 } });

  const ours = await agedData(shop.tenantId);
  const theirs = await agedData(keeper.tenantId);
  expect(await present(shop.tenantId, ours)).toEqual(untouched);

  await applyRetention({ db: engine.db, tenants: tenantStore(engine.db), log });

  expect(await present(shop.tenantId, ours)).toEqual(afterRetention);
  expect(await present(keeper.tenantId, theirs)).toEqual(untouched);

  // Null keeps data forever again.
  expect(await api('PUT', { retentionDays: null })).toMatchObject({
    status: 200,
    body: { retentionDays: null },
  });
  const later = await agedData(shop.tenantId);
  await applyRetention({ db: engine.db, tenants: tenantStore(engine.db), log });
  expect(await present(shop.tenantId, later)).toEqual(untouched);
}, 60_000);

it('when a worker runs, then its retention job applies the period in rounds on its own', async () => {
  const shop = await operatorTenant(engine.app);
  await call(engine.app, 'PUT', '/api/v1/retention', {
    token: shop.adminKey,
    body: { retentionDays: 7 },
  });
  const data = await agedData(shop.tenantId);

  const redis: RedisClient = await testRedis();
  const connection = await NativeConnection.connect({ address: engine.config.TEMPORAL_ADDRESS });
  const { worker, run } = await createSessionWorker({
    connection,
    client: engine.temporal.client,
    namespace: engine.config.TEMPORAL_NAMESPACE,
    taskQueue: uniqueId('retention'),
    db: engine.db,
    redis,
    log,
    retentionIntervalMs: 200,
  });
  const running = run();
  try {
    await eventually(async () =>
      JSON.stringify(await present(shop.tenantId, data)) === JSON.stringify(afterRetention)
        ? true
        : undefined,
    );
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await closeRedis(redis);
  }
}, 60_000);
