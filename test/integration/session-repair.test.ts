import { startedSession } from '../../api/openapi';
import { defaultTemplates } from '../../domain/flow';
import { closeRedis, type RedisClient } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { createRouter } from '../../routing/router';
import { desk, openAssigned } from '../support/chat';
import { eventually, postJson, startTestEngine, type TestEngine } from '../support/engine';
import { testRedis } from '../support/redis';
import { uniqueId } from '../support/stack';
import { signedVisitor } from '../support/identity';

/**
 * An operator terminates a session workflow from the Temporal Web UI: the
 * worker notices (visibility, every 10 s) and closes the session as the
 * workflow would have: seat freed, queue entry gone, stored copy closed.
 */
let engine: TestEngine;
let redis: RedisClient;
beforeAll(async () => {
  engine = await startTestEngine();
  redis = await testRedis();
});
afterAll(async () => {
  await closeRedis(redis);
  await engine.close();
});

const projection = (tenantId: string, sessionId: string) =>
  collections(engine.db).sessions.findOne({ _id: sessionId, tenantId });

async function openQueued(tenantId: string) {
  const response = await postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: signedVisitor(tenantId, uniqueId('visitor')),
    channel: 'web',
    entry: { type: 'order', ref: 'o-2' },
  });
  const started = startedSession.parse(response.body);
  await eventually(async () =>
    (await projection(tenantId, started.sessionId))?.phase === 'queued' ? true : undefined,
  );
  return started;
}

const terminate = (tenantId: string, sessionId: string) =>
  engine.temporal.client.workflow
    .getHandle(`session/${tenantId}/${sessionId}`)
    .terminate('ops: stuck session');

const closedByRepair = (tenantId: string, sessionId: string) =>
  eventually(async () => {
    const doc = await projection(tenantId, sessionId);
    return doc?.phase === 'closed' ? doc : undefined;
  }, 40_000);

it('when an operator terminates a queued and then an assigned session, then within a bounded time each is closed as terminated, the queue entry is gone and the seat serves the next shopper', async () => {
  const agentId = uniqueId('agent');
  const tenantId = await desk(engine, [agentId], 1);
  const router = createRouter(redis);
  const assigned = await openAssigned(engine, tenantId);
  const queued = await openQueued(tenantId);
  // The projection says queued just before the enqueue script places the session (it is
  // written first, so a Redis loss in between heals from it): wait for the placement too.
  await eventually(async () =>
    (await router.queueLength(tenantId, 'default')) === 1 ? true : undefined,
  );

  await terminate(tenantId, queued.sessionId);
  const queuedDoc = await closedByRepair(tenantId, queued.sessionId);
  expect(queuedDoc).toMatchObject({ closeReason: 'terminated' });
  expect(await router.queueLength(tenantId, 'default')).toBe(0);

  await terminate(tenantId, assigned.sessionId);
  const assignedDoc = await closedByRepair(tenantId, assigned.sessionId);
  expect(assignedDoc).toMatchObject({ closeReason: 'terminated', agentId });
  // The shopper is told, once, in the flow's words.
  const closing = await collections(engine.db)
    .messages.find({ tenantId, sessionId: assigned.sessionId, 'sender.type': 'system' })
    .toArray();
  expect(closing.filter((m) => m.text === defaultTemplates['zh-CN'].closed)).toHaveLength(1);
  // The one seat is free again: the next shopper gets the agent.
  const next = await openAssigned(engine, tenantId);
  expect(next.agentId).toBe(agentId);
}, 120_000);
