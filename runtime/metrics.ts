import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The engine's Prometheus metrics (README "Metrics and logs"). Each process —
 * and each engine a test starts inside one jest process — has a registry of
 * its own, passed down to whatever observes: nothing goes to prom-client's
 * global registry.
 *
 * No label ever carries a tenant, session, visitor or agent id: ids are
 * unbounded, and a series per id would grow Prometheus without end. Labels
 * take values from small fixed sets (a route template, a status code, a
 * namespace, an event name the gateway handles, an outcome). Per-tenant
 * figures are the reports' job (DESIGN.md §13), not the ops metrics'.
 */

/** Seconds: from a millisecond cache hit to a slow Temporal update. */
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds a shopper waits for a person: immediate to an hour. */
const waitBuckets = [0.05, 0.25, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
/** Seconds from an event to its receiver's 2xx: settling (3 s) to a day of retries. */
const lagBuckets = [1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];

export type ProcessName = 'api' | 'worker';

/** What a process observes; every process has all of them, each used where it happens. */
export function createMetrics(processName: ProcessName) {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  // Node's own: CPU, memory, heap, event loop lag, GC, handles.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'reception_http_request_duration_seconds',
      help: 'HTTP requests by method, declared route (its template, e.g. /api/v1/sessions/:sessionId; "unmatched" for none) and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: requestBuckets,
      registers,
    }),
    socketConnections: new Gauge({
      name: 'reception_socket_connections',
      help: 'Open socket.io connections on this node, by namespace',
      labelNames: ['namespace'] as const,
      registers,
    }),
    socketMessages: new Counter({
      name: 'reception_socket_messages_total',
      help: 'socket.io events received from clients, by namespace and event ("other" for an event the gateway does not handle)',
      labelNames: ['namespace', 'event'] as const,
      registers,
    }),
    assignmentLatency: new Histogram({
      name: 'reception_assignment_latency_seconds',
      help: 'From a session entering its group queue to the routing decision that gave it an agent ("assigned") or offered it to one ("offered")',
      labelNames: ['kind'] as const,
      buckets: waitBuckets,
      registers,
    }),
    routingHeals: new Counter({
      name: 'reception_routing_heals_total',
      help: 'Tenant routing states rebuilt in Redis from MongoDB ("rebuilt": Redis had lost it; "started": a tenant with nothing to rebuild)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    webhookDeliveryLag: new Histogram({
      name: 'reception_webhook_delivery_lag_seconds',
      help: 'From an event happening to its webhook receiver answering 2xx (in-order deliveries; redeliveries asked for are not counted)',
      buckets: lagBuckets,
      registers,
    }),
  };
}

export type EngineMetrics = ReturnType<typeof createMetrics>;

/** What a scrape reads of the queues, all tenants together. */
export interface QueueTotals {
  waiting: number;
  /** Milliseconds the longest-waiting session has waited; 0 with nobody waiting. */
  longestWaitMs: number;
}

/**
 * The queue gauges, read from Redis when Prometheus scrapes (not kept up to
 * date on the chat's path). Platform-wide totals, not per group: group ids
 * are each tenant's own, so a per-group label would be unbounded. A failed
 * read reports NaN rather than a stale figure or a failed scrape.
 */
export function registerQueueGauges(
  metrics: EngineMetrics,
  read: () => Promise<QueueTotals>,
  onError: (error: unknown) => void,
): void {
  let reading: Promise<QueueTotals | undefined> | undefined;
  // Both gauges of one scrape share one read.
  const totals = () => {
    reading ??= read()
      .catch((error: unknown) => {
        onError(error);
        return undefined;
      })
      .finally(() => setImmediate(() => (reading = undefined)));
    return reading;
  };
  const registers = [metrics.registry];
  new Gauge({
    name: 'reception_queue_waiting_sessions',
    help: 'Sessions waiting for an agent in any group queue of any tenant',
    registers,
    async collect() {
      this.set((await totals())?.waiting ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'reception_queue_longest_wait_seconds',
    help: 'How long the longest-waiting session in any group queue has waited',
    registers,
    async collect() {
      const read = await totals();
      this.set(read ? read.longestWaitMs / 1000 : Number.NaN);
    },
  });
}
