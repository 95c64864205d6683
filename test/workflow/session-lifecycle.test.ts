import { randomUUID } from 'node:crypto';
import { Emitter } from '@socket.io/redis-emitter';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { SessionInput } from '../../domain/session';
import { sessionWorkflowId } from '../../domain/session';
import { defaultReceptionSettings } from '../../domain/tenant';
import { emitterBroadcaster } from '../../messaging/broadcast';
import {
  closeRedis,
  connectMongo,
  connectRedis,
  type MongoHandle,
  type RedisClient,
} from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { ensureIndexes } from '../../stores/indexes';
import { messageStore } from '../../stores/messages';
import { sessionStore } from '../../stores/sessions';
import { tenantStore } from '../../stores/tenants';
import { temporal } from '@temporalio/proto';
import { searchAttributeNames, stateQuery } from '../../workflows/contract';
import { sessionWorkflow } from '../../workflows/session';
import { eventually } from '../support/engine';
import { recordHistory } from '../support/histories';
import { quietTemporalRuntime } from '../support/quiet-runtime';
import { testStack, uniqueDatabase, uniqueId } from '../support/stack';

/**
 * The session workflow on the time-skipping test server: long timers are
 * tested in virtual time, with real activities against MongoDB and Redis.
 */

let env: TestWorkflowEnvironment;
let mongo: MongoHandle;
let redis: RedisClient;

beforeAll(async () => {
  quietTemporalRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testStack.timeSkippingServer } },
  });
  // The test server knows no custom search attributes until told, as a real cluster.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      searchAttributeNames.map((name) => [
        name,
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  mongo = await connectMongo(testStack.mongodbUrl, uniqueDatabase());
  await ensureIndexes(mongo.db);
  redis = await connectRedis(testStack.redisUrl, () => undefined);
});

afterAll(async () => {
  await env?.teardown();
  await mongo?.db.dropDatabase();
  await mongo?.client.close();
  if (redis) await closeRedis(redis);
});

async function workerFor(taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities: createActivities({
      tenants: tenantStore(mongo.db),
      sessions: sessionStore(mongo.db),
      messages: messageStore(mongo.db),
      broadcaster: emitterBroadcaster(new Emitter(redis)),
    }),
  });
}

async function newSession(robotIdleTimeoutMs: number): Promise<SessionInput> {
  const tenantId = uniqueId('tenant');
  await tenantStore(mongo.db).ensure(tenantId, 'Test shop', {
    ...defaultReceptionSettings,
    robotIdleTimeoutMs,
  });
  const input: SessionInput = {
    tenantId,
    sessionId: randomUUID(),
    visitor: { id: uniqueId('visitor'), tags: [] },
    channel: 'web',
    entry: { type: 'order', ref: 'o-1' },
  };
  // As the API does: the visitor's pointer names this session while it is open.
  await sessionStore(mongo.db).claimOpen(tenantId, input.visitor.id, input.sessionId);
  return input;
}

describe('session workflow', () => {
  it('when the robot phase stays idle, then the session closes exactly at the idle timeout and frees the visitor', async () => {
    const taskQueue = uniqueId('tq');
    const worker = await workerFor(taskQueue);
    const input = await newSession(10 * 60_000);

    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(sessionWorkflow, {
        workflowId: sessionWorkflowId(input.tenantId, input.sessionId),
        taskQueue,
        args: [input],
      });

      // The greeting is stored with seq 1 before any timer runs.
      const greeting = await eventually(async () => {
        const { messages } = await messageStore(mongo.db).listAfter(
          input.tenantId,
          input.sessionId,
          0,
          10,
        );
        return messages[0];
      });
      expect(greeting).toMatchObject({
        seq: 1,
        sender: { type: 'robot' },
        text: defaultReceptionSettings.greeting['zh-CN'],
      });

      await env.sleep(10 * 60_000 - 1_000);
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'robot' });

      const final = await handle.result();
      expect(final).toMatchObject({ phase: 'closed', closeReason: 'robot_idle' });
      // One timer of exactly the idle timeout, from the greeting; the close
      // happens in the workflow task right after it fires.
      const history = await handle.fetchHistory();
      await recordHistory('robot-idle-close', history);
      const { events } = history;
      const timers = (events ?? []).flatMap((e) =>
        e.timerStartedEventAttributes ? [e.timerStartedEventAttributes] : [],
      );
      expect(timers.map((t) => Number(t.startToFireTimeout?.seconds))).toEqual([600]);
      const idleMs = Date.parse(final.closedAt ?? '') - Date.parse(final.lastActivityAt);
      expect(idleMs).toBeGreaterThanOrEqual(10 * 60_000);
      expect(idleMs).toBeLessThan(10 * 60_000 + 1_000);
    });

    const { sessions, openSessions } = collections(mongo.db);
    expect(await sessions.findOne({ _id: input.sessionId })).toMatchObject({
      phase: 'closed',
      closeReason: 'robot_idle',
    });
    expect(
      await openSessions.findOne({ tenantId: input.tenantId, visitorId: input.visitor.id }),
    ).toBeNull();
  });

  it('when the greeting activity is retried, then the greeting is stored once', async () => {
    const taskQueue = uniqueId('tq');
    const worker = await workerFor(taskQueue);
    const input = await newSession(60_000);
    // A greeting stored by an earlier attempt that crashed before completing.
    await createActivities({
      tenants: tenantStore(mongo.db),
      sessions: sessionStore(mongo.db),
      messages: messageStore(mongo.db),
      broadcaster: emitterBroadcaster(new Emitter(redis)),
    }).postRobotMessage({
      tenantId: input.tenantId,
      sessionId: input.sessionId,
      purpose: 'greeting',
      text: 'earlier attempt',
    });

    await worker.runUntil(
      env.client.workflow.execute(sessionWorkflow, {
        workflowId: sessionWorkflowId(input.tenantId, input.sessionId),
        taskQueue,
        args: [input],
      }),
    );
    const { messages } = await messageStore(mongo.db).listAfter(
      input.tenantId,
      input.sessionId,
      0,
      10,
    );
    expect(messages.map((m) => [m.seq, m.text])).toEqual([[1, 'earlier attempt']]);
  });

  it('when the tenant is unknown, then the workflow fails without retrying forever', async () => {
    const taskQueue = uniqueId('tq');
    const worker = await workerFor(taskQueue);
    const input: SessionInput = {
      tenantId: uniqueId('nobody'),
      sessionId: randomUUID(),
      visitor: { id: uniqueId('visitor'), tags: [] },
      channel: 'api',
      entry: { type: 'shop' },
    };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(sessionWorkflow, {
        workflowId: sessionWorkflowId(input.tenantId, input.sessionId),
        taskQueue,
        args: [input],
        workflowExecutionTimeout: '1 hour',
      });
      await expect(handle.result()).rejects.toThrow();
    });
  });
});
