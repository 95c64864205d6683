import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import type { FlowInput } from '../../domain/flow';
import type { GroupRouting } from '../../domain/agents';
import { sessionWorkflowId, type SessionInput } from '../../domain/session';
import {
  closeRedis,
  connectMongo,
  connectRedis,
  type MongoHandle,
  type RedisClient,
} from '../../runtime/connections';
import { createRouter, type Router } from '../../routing/router';
import { ensureIndexes } from '../../stores/indexes';
import { tenantStore } from '../../stores/tenants';
import { searchAttributeNames, stateQuery, type SessionState } from '../../workflows/contract';
import { eventually } from './engine';
import { sessionWorkflow } from '../../workflows/session';
import { activityDeps } from '../../workers/session-worker';
import { quietTemporalRuntime } from './quiet-runtime';
import { testStack, uniqueDatabase, uniqueId } from './stack';
import { workflowBundlerOptions } from '../../workers/workflow-bundle';

/**
 * The session workflow on the time-skipping test server, with its real
 * activities against MongoDB and Redis: long timers run in virtual time.
 */
export interface WorkflowTestEnv {
  env: TestWorkflowEnvironment;
  mongo: MongoHandle;
  redis: RedisClient;
  /** The activities' dependencies, and the raw router for tests that read routing state. */
  deps: ActivityDeps & { router: Router };
  worker: (taskQueue: string) => Promise<Worker>;
  /**
   * Runs `test` with a worker on the task queue, then ends the sessions it
   * left running while the worker still runs, so no activity is cut off.
   */
  run: (taskQueue: string, test: () => Promise<void>) => Promise<void>;
  /** A tenant with the given flow and groups (agents are added by each test). */
  tenant: (flow?: FlowInput, groups?: Record<string, GroupRouting>) => Promise<string>;
  sessionInput: (tenantId: string, overrides?: Partial<SessionInput>) => SessionInput;
  start: (
    taskQueue: string,
    input: SessionInput,
  ) => Promise<WorkflowHandleWithFirstExecutionRunId<typeof sessionWorkflow>>;
  /**
   * Terminates the sessions the test left running. The time-skipping server
   * skips time for everyone, and a left-over session whose worker is gone
   * would hold its timers up.
   */
  endSessions: () => Promise<void>;
  teardown: () => Promise<void>;
}

/**
 * A time-skipping server per test, handed to `use` before each test and torn
 * down after it: the server's clock is global, and one test's leftovers must
 * not hold another's timers.
 */
export function workflowEnvPerTest(use: (env: WorkflowTestEnv) => void): void {
  let current: WorkflowTestEnv | undefined;
  beforeEach(async () => {
    current = await workflowTestEnv();
    use(current);
  });
  afterEach(async () => {
    await current?.teardown();
    current = undefined;
  });
}

export async function workflowTestEnv(): Promise<WorkflowTestEnv> {
  quietTemporalRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
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
  const mongo = await connectMongo(testStack.mongodbUrl, uniqueDatabase());
  await ensureIndexes(mongo.db);
  const redis = await connectRedis(testStack.redisUrl, () => undefined);
  const deps = { ...activityDeps(mongo.db, redis, env.client), router: createRouter(redis) };
  const started: string[] = [];
  async function endSessions(): Promise<void> {
    for (const workflowId of started.splice(0)) {
      const handle = env.client.workflow.getHandle(workflowId);
      // Terminating with an activity in flight leaves the time-skipping
      // server's clock held (seen with test server 1.40): let them finish.
      for (let i = 0; ; i++) {
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING') break;
        if (!description.raw.pendingActivities?.length || i >= 50) {
          await handle.terminate('test finished');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  const worker = (taskQueue: string) =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      bundlerOptions: workflowBundlerOptions,
      activities: createActivities(deps),
    });

  return {
    env,
    mongo,
    redis,
    deps,
    worker,
    async run(taskQueue, test) {
      await (
        await worker(taskQueue)
      ).runUntil(async () => {
        try {
          await test();
        } finally {
          await endSessions();
        }
      });
    },
    async tenant(flow = {}, groups = { default: {} }) {
      const tenantId = uniqueId('tenant');
      for (const [groupId, settings] of Object.entries(groups)) {
        await deps.routing.configureGroup(tenantId, groupId, settings);
      }
      await tenantStore(mongo.db).ensure(tenantId, 'Test shop', flow);
      // Agents are set online with no console socket here: presence is manual.
      await deps.routing.configurePresence(tenantId, { mode: 'manual' });
      return tenantId;
    },
    sessionInput(tenantId, overrides = {}) {
      return {
        tenantId,
        sessionId: randomUUID(),
        visitor: { id: uniqueId('visitor'), tags: [] },
        channel: 'web',
        entry: { type: 'order', ref: 'o-1' },
        ...overrides,
      };
    },
    async start(taskQueue, input) {
      // As the API does: the visitor's pointer names this session while it is open.
      await deps.sessions.claimOpen(input.tenantId, input.visitor.id, input.sessionId);
      const workflowId = sessionWorkflowId(input.tenantId, input.sessionId);
      started.push(workflowId);
      return env.client.workflow.start(sessionWorkflow, {
        workflowId,
        taskQueue,
        args: [input],
      });
    },
    endSessions,
    async teardown() {
      await env.teardown();
      await mongo.db.dropDatabase();
      await mongo.client.close();
      await closeRedis(redis);
    },
  };
}

/** A started session's handle, as the workflow tests hold it. */
export type SessionHandle = Awaited<ReturnType<WorkflowTestEnv['start']>>;

/** Waits until the session's state satisfies `ok`, and answers that state. */
export const untilState = (handle: SessionHandle, ok: (s: SessionState) => boolean) =>
  eventually(async () => {
    const state = await handle.query(stateQuery);
    return ok(state) ? state : undefined;
  });
