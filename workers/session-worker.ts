import { Emitter } from '@socket.io/redis-emitter';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createActivities, type ActivityDeps } from '../activities';
import { hubBroadcaster } from '../messaging/broadcast';
import { messagePublisher, newOrigin } from '../messaging/message-fanout';
import { sessionLists } from '../messaging/session-lists';
import { turnTracker } from '../messaging/turns';
import { publishingQuietly, type RedisClient } from '../runtime/connections';
import { createLogger, type Logger } from '../runtime/logger';
import type { EngineMetrics } from '../runtime/metrics';
import { ensureIndexes } from '../stores/indexes';
import { buildStores, wireEngine } from '../wiring/engine';
import { startReportRollups } from './report-rollups';
import { startRetention } from './retention';
import { startRoutingUpkeep } from './routing-upkeep';
import { startSessionRepair } from './session-repair';
import { startWebhookDelivery } from './webhook-delivery';
import { startEmailDelivery } from './email-delivery';
import {
  emailConfigOf,
  eventConfigOf,
  workerConfigSchema,
  type EmailConfig,
  type EventConfig,
} from '../runtime/config';
import { workflowBundlerOptions } from './workflow-bundle';

export interface SessionWorkerOptions {
  connection: NativeConnection;
  /** A client of the same Temporal namespace: routing decisions are told to sessions by signal. */
  client: Client;
  namespace: string;
  taskQueue: string;
  db: Db;
  redis: RedisClient;
  log?: Logger;
  /** Background routing rounds (redelivery, healing); default every 2 s. */
  upkeepIntervalMs?: number;
  /** Rounds closing the sessions of workflows ended from outside; default every 10 s. */
  repairIntervalMs?: number;
  /** Rounds removing data older than each tenant's retention period; default every hour. */
  retentionIntervalMs?: number;
  /** Webhook delivery settings; absent: the defaults (runtime/config.ts). */
  events?: EventConfig;
  /** Sessions kept in memory between steps; absent: the SDK's default (runtime/config.ts). */
  maxCachedWorkflows?: number;
  /** The process's metrics (routing decisions and heals, webhook lag); absent: not observed. */
  metrics?: EngineMetrics;
  /** The email channel's settings; absent (or no SMTP_URL): nothing is mailed. */
  email?: EmailConfig;
  /** Signs the reply addresses of mail: the API's TOKEN_SECRET. */
  tokenSecret?: string;
  /** REPORT_FACTS: whether session steps record report facts (default true). */
  reports?: boolean;
}

/** The activities' dependencies, built from the three connections (see wiring/engine.ts). */
export function activityDeps(
  db: Db,
  redis: RedisClient,
  client: Client,
  log?: Logger,
  metrics?: EngineMetrics,
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES, for bot hooks (default: refused, as in production). */
  allowPrivateAddresses = false,
  /** REPORT_FACTS (default: recorded). */
  reports = true,
): ActivityDeps {
  const { stores, routing } = wireEngine({ db, redis, temporal: client, log, metrics, reports });
  // Through Redis to every gateway node's rooms.
  const broadcaster = hubBroadcaster(
    new Emitter(publishingQuietly(redis)),
    messagePublisher(redis, newOrigin()),
  );
  return {
    ...stores,
    lists: sessionLists({ ...stores, broadcaster }),
    broadcaster,
    routing,
    turns: turnTracker(redis),
    allowPrivateAddresses,
  };
}

/**
 * Builds the worker that runs session workflows and their activities, and
 * the routing upkeep that runs beside it. The entry point and the tests call
 * this with their own connections; `run()` runs both until shutdown.
 */
export async function createSessionWorker(
  options: SessionWorkerOptions,
): Promise<{ worker: Worker; run: () => Promise<void> }> {
  await ensureIndexes(options.db);
  const log = options.log ?? createLogger('warn', { process: 'worker' });
  const deps = activityDeps(
    options.db,
    options.redis,
    options.client,
    log,
    options.metrics,
    options.events?.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    options.reports,
  );
  const activities = createActivities(deps);
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    bundlerOptions: workflowBundlerOptions,
    activities,
    ...(options.maxCachedWorkflows === undefined
      ? {}
      : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
  return {
    worker,
    async run() {
      const upkeep = startRoutingUpkeep({
        routing: deps.routing,
        tenants: deps.tenants,
        log,
        intervalMs: options.upkeepIntervalMs ?? 2_000,
        redeliverAfterMs: 3_000,
      });
      const repair = startSessionRepair({
        client: options.client,
        taskQueue: options.taskQueue,
        sessions: deps.sessions,
        activities,
        log,
        intervalMs: options.repairIntervalMs ?? 10_000,
        lookbackMs: 24 * 3600_000,
      });
      const webhooks = startWebhookDelivery({
        db: options.db,
        config: options.events ?? eventConfigOf(workerConfigSchema.parse({})),
        log,
        metrics: options.metrics,
      });
      const events = options.events ?? eventConfigOf(workerConfigSchema.parse({}));
      const email = startEmailDelivery({
        db: options.db,
        stores: buildStores(options.db, options.redis),
        email: options.email ?? emailConfigOf(workerConfigSchema.parse({})),
        events,
        tokenSecret: options.tokenSecret,
        log,
      });
      const retention = startRetention({
        db: options.db,
        tenants: deps.tenants,
        log,
        intervalMs: options.retentionIntervalMs ?? 3600_000,
      });
      const rollups = startReportRollups({ db: options.db, log, intervalMs: 30_000 });
      try {
        await worker.run();
      } finally {
        await Promise.all([
          upkeep.stop(),
          repair.stop(),
          retention.stop(),
          webhooks.stop(),
          email.stop(),
          rollups.stop(),
        ]);
      }
    },
  };
}
