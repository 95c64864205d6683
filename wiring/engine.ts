import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { ChatSignals } from '../messaging/chat-signals';
import { createRouter } from '../routing/router';
import { createRoutingService, type RoutingService } from '../routing/service';
import type { RedisClient } from '../runtime/connections';
import type { Logger } from '../runtime/logger';
import type { EngineMetrics } from '../runtime/metrics';
import { agentStore } from '../stores/agents';
import { apiKeyStore } from '../stores/api-keys';
import { auditStore } from '../stores/audit';
import { botHookStore } from '../stores/bot-hooks';
import { customerStore } from '../stores/customers';
import { faqStore } from '../stores/faqs';
import { flowStore } from '../stores/flows';
import { hoursStore } from '../stores/hours';
import { identityStore } from '../stores/identity';
import { messageStore } from '../stores/messages';
import { noteStore } from '../stores/notes';
import { orderLookupHookStore } from '../stores/order-lookup-hooks';
import { outreachStore } from '../stores/outreach';
import { quickReplyStore } from '../stores/quick-replies';
import { readMarkStore } from '../stores/read-marks';
import { redisFactsCache } from '../stores/session-facts-cache';
import { sessionStore } from '../stores/sessions';
import { staffStore } from '../stores/staff';
import { tagStore } from '../stores/tags';
import { tenantStore } from '../stores/tenants';
import { ticketStore } from '../stores/tickets';
import { eventOutbox } from '../events/outbox';
import { reportingOutbox } from '../reports/outbox';
import { reportRecorder } from '../reports/record';
import {
  agentsRecordingEvents,
  sessionsRecordingEvents,
  tagsRecordingEvents,
  ticketsRecordingEvents,
} from '../events/recording-stores';
import { chatSignalsByClient } from './tell-chat';
import { tellSessionBySignal } from './tell-session';

/**
 * Every MongoDB store; the session store reads its facts through the Redis
 * cache. Stores whose writes are domain facts record their events as they
 * write (events/recording-stores.ts).
 */
export function buildStores(db: Db, redis: RedisClient, options: { reports?: boolean } = {}) {
  // Session events also record their report facts (reports/outbox.ts); off only for a benchmark's baseline.
  const outbox = reportingOutbox(eventOutbox(db), reportRecorder(db), {
    enabled: options.reports ?? true,
  });
  return {
    tenants: tenantStore(db),
    sessions: sessionsRecordingEvents(sessionStore(db, redisFactsCache(redis)), outbox),
    messages: messageStore(db),
    notes: noteStore(db),
    reads: readMarkStore(db),
    agents: agentsRecordingEvents(agentStore(db), outbox),
    apiKeys: apiKeyStore(db),
    staff: staffStore(db),
    flows: flowStore(db),
    hours: hoursStore(db),
    faqs: faqStore(db),
    tickets: ticketsRecordingEvents(ticketStore(db), outbox),
    quickReplies: quickReplyStore(db),
    tags: tagsRecordingEvents(tagStore(db), outbox),
    outreach: outreachStore(db),
    audit: auditStore(db),
    identity: identityStore(db),
    customers: customerStore(db),
    botHooks: botHookStore(db),
    orderLookupHooks: orderLookupHookStore(db),
    /** Records domain events for steps that write facts (the session workflow's transitions). */
    outbox,
  };
}

export type Stores = ReturnType<typeof buildStores>;

export interface EngineParts {
  stores: Stores;
  /** Routing as everything outside routing/ uses it; decisions are told to sessions by signal. */
  routing: RoutingService;
  /** What the message fast path tells session workflows, by Temporal signal. */
  signals: ChatSignals;
}

/**
 * The engine's shared parts, built from its three connections in one place:
 * the API process and the worker process both call this, so both route
 * through the same service built the same way (DESIGN.md §10).
 */
export function wireEngine(connections: {
  db: Db;
  redis: RedisClient;
  temporal: Client;
  log?: Logger;
  /** The process's metrics: routing decisions and heals are observed into them. */
  metrics?: EngineMetrics;
  /** Whether session steps record report facts (REPORT_FACTS; default true). */
  reports?: boolean;
}): EngineParts {
  const { db, redis, temporal, log, metrics } = connections;
  const stores = buildStores(db, redis, { reports: connections.reports ?? true });
  const routing = createRoutingService({
    // The presence sweep is per deployment: the nodes that share this database.
    router: createRouter(redis, Date.now, db.databaseName),
    agents: stores.agents,
    sessions: stores.sessions,
    tenants: stores.tenants,
    tell: tellSessionBySignal(temporal),
    onDeliveryError: (assignment, error) =>
      log?.warn('routing decision not told yet; it will be retold', {
        sessionId: assignment.sessionId,
        error: String(error),
      }),
    ...(metrics
      ? {
          observe: {
            decided: (kind, latencyMs) =>
              metrics.assignmentLatency.observe({ kind }, latencyMs / 1000),
            healed: (outcome) => metrics.routingHeals.inc({ outcome }),
          },
        }
      : {}),
  });
  return { stores, routing, signals: chatSignalsByClient(temporal) };
}
