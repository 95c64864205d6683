import { NativeConnection } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createApp, type App } from '../../api/app';
import type { ChatMessage } from '../../domain/message';
import { namespaces } from '../../domain/rooms';
import type {
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
} from '../../domain/socket-events';
import type { FlowInput } from '../../domain/flow';
import type { PresenceSettingsInput } from '../../domain/presence';
import {
  apiConfigSchema,
  emailConfigOf,
  eventConfigOf,
  type ApiConfig,
} from '../../runtime/config';
import {
  closeRedis,
  connectMongo,
  connectRedis,
  connectTemporal,
  type MongoHandle,
  type RedisClient,
  type TemporalHandle,
} from '../../runtime/connections';
import { createLogger } from '../../runtime/logger';
import { createMetrics } from '../../runtime/metrics';
import { sdkMetricsUrl, serveMetrics } from '../../runtime/metrics-server';
import { tenantStore } from '../../stores/tenants';
import { activityDeps, createSessionWorker } from '../../workers/session-worker';
import { installIdentitySecret } from './identity';
import { quietTemporalRuntime } from './quiet-runtime';
import { testSecret, testStack, uniqueDatabase, uniqueId } from './stack';

export interface TestEngine {
  config: ApiConfig;
  app: App;
  db: Db;
  temporal: TemporalHandle;
  /**
   * A tenant of its own. Its presence is manual unless `presence` says
   * otherwise: most tests set agents online through the status API with no
   * console socket, which a tenant following connections would never assign
   * to; tests of connection-following pass `{ mode: 'connections' }`.
   */
  createTenant: (flow?: FlowInput, presence?: PresenceSettingsInput) => Promise<string>;
  /** The in-process worker's `GET /metrics` (its own registry); absent without one. */
  workerMetricsUrl?: string;
  close: () => Promise<void>;
}

/**
 * The engine as `npm start` runs it — API on a free port, a worker on its own
 * task queue, a database of its own — against the shared test servers.
 */
export async function startTestEngine(
  overrides: Partial<ApiConfig> = {},
  options: {
    inProcessWorker?: boolean;
    /**
     * Where the Temporal SDK exports its worker metrics (host:port), served in
     * the worker's /metrics too; it takes effect only if this engine is the
     * first of its test file (the SDK's runtime is installed once).
     */
    temporalMetricsAddress?: string;
  } = {},
): Promise<TestEngine> {
  const config = apiConfigSchema.parse({
    PORT: 0,
    HOST: '127.0.0.1',
    TEMPORAL_ADDRESS: testStack.temporalAddress,
    TEMPORAL_TASK_QUEUE: uniqueId('sessions'),
    MONGODB_URL: testStack.mongodbUrl,
    MONGODB_DATABASE: uniqueDatabase(),
    REDIS_URL: testStack.redisUrl,
    TOKEN_SECRET: testSecret,
    LOG_LEVEL: 'warn',
    ...overrides,
  });
  quietTemporalRuntime(options.temporalMetricsAddress);
  const mongo: MongoHandle = await connectMongo(config.MONGODB_URL, config.MONGODB_DATABASE);
  const redis: RedisClient = await connectRedis(config.REDIS_URL, () => undefined);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const workerMetrics = createMetrics('worker');
  // Tests that kill and restart workers run them as processes of their own instead.
  const worker =
    options.inProcessWorker === false
      ? undefined
      : await createSessionWorker({
          connection,
          client: temporal.client,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          db: mongo.db,
          redis,
          events: eventConfigOf(config),
          metrics: workerMetrics,
          email: emailConfigOf(config),
          tokenSecret: config.TOKEN_SECRET,
        });
  const running = worker?.run();
  const metricsServer = worker
    ? await serveMetrics({
        registry: workerMetrics.registry,
        port: 0,
        host: '127.0.0.1',
        ...(options.temporalMetricsAddress === undefined
          ? {}
          : { sdkMetricsUrl: sdkMetricsUrl(options.temporalMetricsAddress) }),
      })
    : undefined;
  const app = await createApp(config, createLogger('warn', { process: 'api-test' }));

  return {
    config,
    app,
    db: mongo.db,
    temporal,
    ...(metricsServer
      ? { workerMetricsUrl: `http://127.0.0.1:${metricsServer.port}/metrics` }
      : {}),
    async createTenant(flow = {}, presence = { mode: 'manual' }) {
      const tenantId = uniqueId('tenant');
      await tenantStore(mongo.db).ensure(tenantId, 'Test shop', flow);
      await installIdentitySecret(mongo.db, tenantId);
      const { routing } = activityDeps(mongo.db, redis, temporal.client);
      await routing.configurePresence(tenantId, presence);
      // As the tenant API does: the routing state starts empty and complete.
      await routing.heal(tenantId);
      return tenantId;
    },
    async close() {
      await app.close();
      await metricsServer?.close();
      worker?.worker.shutdown();
      await running;
      await temporal.connection.close();
      await connection.close();
      await mongo.db.dropDatabase();
      await mongo.client.close();
      await closeRedis(redis);
    },
  };
}

export type VisitorSocket = Socket<VisitorServerToClientEvents, VisitorClientToServerEvents>;

/** A visitor's socket, connected (or rejected) as the widget would. */
export function connectVisitor(
  app: Pick<App, 'url'>,
  token: string | undefined,
): Promise<VisitorSocket> {
  const socket: VisitorSocket = connectSocket(`${app.url}${namespaces.visitor}`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Messages after `afterSeq`, through the socket's sync event. */
export function syncMessages(socket: VisitorSocket, afterSeq = 0): Promise<ChatMessage[]> {
  return new Promise((resolve, reject) => {
    socket.emit('message:sync', { afterSeq }, (result) => {
      if (result.ok) resolve(result.data.messages);
      else reject(new Error(result.error.message));
    });
  });
}

/** Waits until `read` returns something, polling; fails after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until `read` (no I/O: it looks at what callbacks collected) returns something. */
export const until = <T>(read: () => T | undefined, timeoutMs = 15_000): Promise<T> =>
  eventually(() => Promise.resolve(read()), timeoutMs);

export async function postJson(
  app: App,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
