import { Emitter } from '@socket.io/redis-emitter';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createActivities } from '../activities';
import type { VisitorServerToClientEvents } from '../domain/socket-events';
import { emitterBroadcaster } from '../messaging/broadcast';
import type { RedisClient } from '../runtime/connections';
import { ensureIndexes } from '../stores/indexes';
import { messageStore } from '../stores/messages';
import { sessionStore } from '../stores/sessions';
import { tenantStore } from '../stores/tenants';

export interface SessionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  redis: RedisClient;
}

/**
 * Builds the worker that runs session workflows and their activities. The
 * entry point and the tests call this with their own connections.
 */
export async function createSessionWorker(options: SessionWorkerOptions): Promise<Worker> {
  await ensureIndexes(options.db);
  const activities = createActivities({
    tenants: tenantStore(options.db),
    sessions: sessionStore(options.db),
    messages: messageStore(options.db),
    broadcaster: emitterBroadcaster(new Emitter<VisitorServerToClientEvents>(options.redis)),
  });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities,
  });
}
