import type { Db } from 'mongodb';
import { queueTotals } from '../routing/queue-totals';
import type { RedisClient } from '../runtime/connections';
import { describeError, type Logger } from '../runtime/logger';
import { registerQueueGauges, type EngineMetrics } from '../runtime/metrics';
import { agentStore } from '../stores/agents';

/**
 * The queue gauges of a process's metrics, read when Prometheus scrapes:
 * every tenant's group ids from MongoDB (one query), then one read-only
 * script per tenant in Redis. The API registers them; every API node reports
 * the same platform-wide figures, so dashboards take their max, not their sum.
 */
export function watchQueueTotals(
  metrics: EngineMetrics,
  connections: { db: Db; redis: RedisClient; log: Logger },
): void {
  const agents = agentStore(connections.db);
  registerQueueGauges(
    metrics,
    async () => queueTotals(connections.redis, await agents.groupsOfEveryTenant(), Date.now()),
    (error) =>
      connections.log.warn('queue metrics could not be read', { error: describeError(error) }),
  );
}
