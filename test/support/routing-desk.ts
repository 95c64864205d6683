import type { Db } from 'mongodb';
import type { Client } from '@temporalio/client';
import { sessionWorkflowId } from '../../domain/session';
import type { App } from '../../api/app';
import type { RedisClient } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { createRouter, type Router } from '../../routing/router';
import { createRoutingService, type RoutingService } from '../../routing/service';
import { agentStore } from '../../stores/agents';
import { sessionStore } from '../../stores/sessions';
import { tenantStore } from '../../stores/tenants';
import { tellSessionBySignal } from '../../wiring/tell-session';
import { stateQuery, type SessionState } from '../../workflows/contract';
import { eventually, postJson } from './engine';
import { uniqueId } from './stack';

/**
 * A help desk on the real stack for routing tests: the routing service as
 * the API uses it, sessions opened through HTTP, and reads of each session's
 * live state and stored messages.
 */
export interface RoutingDesk {
  routing: RoutingService;
  router: Router;
  open: (tenantId: string) => Promise<string>;
  state: (tenantId: string, sessionId: string) => Promise<SessionState>;
  waitFor: (
    tenantId: string,
    sessionId: string,
    done: (state: SessionState) => boolean,
    timeoutMs?: number,
  ) => Promise<SessionState>;
  /** Texts the workflow posted (system notices and the rating card), in order. */
  systemTexts: (tenantId: string, sessionId: string) => Promise<string[]>;
}

export function routingDesk(app: App, db: Db, redis: RedisClient, client: Client): RoutingDesk {
  const router = createRouter(redis);
  const routing = createRoutingService({
    router,
    agents: agentStore(db),
    sessions: sessionStore(db),
    tenants: tenantStore(db),
    tell: tellSessionBySignal(client),
  });
  const state = (tenantId: string, sessionId: string) =>
    client.workflow.getHandle(sessionWorkflowId(tenantId, sessionId)).query(stateQuery);
  return {
    routing,
    router,
    state,
    async open(tenantId) {
      const response = await postJson(app, '/api/v1/sessions', {
        tenantId,
        visitor: { name: 'Lin' },
        channel: 'web',
        entry: { type: 'order', ref: uniqueId('order') },
      });
      if (response.status !== 201) throw new Error(`open: ${JSON.stringify(response.body)}`);
      return (response.body as { sessionId: string }).sessionId;
    },
    waitFor(tenantId, sessionId, done, timeoutMs) {
      return eventually(async () => {
        const current = await state(tenantId, sessionId);
        return done(current) ? current : undefined;
      }, timeoutMs);
    },
    async systemTexts(tenantId, sessionId) {
      const docs = await collections(db)
        .messages.find({ tenantId, sessionId, kind: { $in: ['system', 'rating'] } })
        .sort({ seq: 1 })
        .toArray();
      return docs.map((d) => ('text' in d && typeof d.text === 'string' ? d.text : ''));
    },
  };
}
