import type { Client } from '@temporalio/client';
import { sessionOfWorkflowId, sessionWorkflowId } from '../../domain/session';
import { sendRateKey } from '../../messaging/rate-limit';
import { turnKey } from '../../messaging/turns';
import type { RedisClient } from '../../runtime/connections';
import type { CustomerDataStore } from '../../stores/customer-data';
import { routingKeys } from '../../routing/keys';
import type { RoutingService } from '../../routing/service';
import { orderContextKey } from '../../stores/order-context-cache';
import { factsKey } from '../../stores/session-facts-cache';
import { heldPhases, type SessionStore } from '../../stores/sessions';
import { searchAttributes } from '../../workflows/contract';
import { closeAsOps, deleteExecution, listExecutions, quoted } from './session-workflows';

export interface EraseCustomerDeps {
  temporal: Client;
  customers: CustomerDataStore;
  sessions: Pick<SessionStore, 'get' | 'project'>;
  routing: Pick<RoutingService, 'release' | 'cancel'>;
  redis: RedisClient;
  /** How long an open session's workflow has to close itself before it is ended from outside. */
  closeTimeoutMs?: number;
}

export interface ErasedCustomer {
  visitorId: string;
  sessions: number;
  /** Workflow executions deleted from Temporal (history and visibility). */
  workflows: number;
  /** Documents deleted, per collection. */
  deleted: Record<string, number>;
  /** Redis keys and hash entries deleted. */
  redisEntries: number;
}

/**
 * Erases a customer of a tenant everywhere the engine keeps them: their
 * open session is closed, their session workflows are deleted from
 * Temporal, their documents from every MongoDB collection, their keys from
 * Redis. Undefined when nothing is held about them (a finished erase,
 * repeated, answers so). Idempotent: a rerun after an interruption finds
 * what is left (sessions are deleted last) and finishes.
 *
 * Nothing about the erase is recorded with the visitor id. A session the
 * shopper opens while the erase runs may survive it; erase again.
 */
export async function eraseCustomer(
  deps: EraseCustomerDeps,
  tenantId: string,
  visitorId: string,
): Promise<ErasedCustomer | undefined> {
  // 1. Find them: sessions named in MongoDB, and workflows Temporal knows by the
  //    visitor id (a session just opened may have no stored copy yet).
  const executions = await listExecutions(
    deps.temporal,
    `${searchAttributes.tenantId.name} = ${quoted(tenantId)}` +
      ` AND ${searchAttributes.visitorId.name} = ${quoted(visitorId)}`,
  );
  const sessionIds = new Set(await deps.customers.sessionIds(tenantId, visitorId));
  for (const { workflowId } of executions) {
    const ids = sessionOfWorkflowId(workflowId);
    if (ids?.tenantId === tenantId) sessionIds.add(ids.sessionId);
  }
  if (!sessionIds.size && !(await deps.customers.holdsMore(tenantId, visitorId))) {
    return undefined;
  }

  // 2. End what still runs, politely first: the workflow closes the session as
  //    an operator's close would (seat freed, closing line, close recorded).
  for (const sessionId of sessionIds) {
    const doc = await deps.sessions.get(tenantId, sessionId);
    if (doc && (doc.phase === 'closed' || doc.phase === 'rated')) continue;
    if (await closeAsOps(deps.temporal, tenantId, sessionId, deps.closeTimeoutMs ?? 10_000)) {
      continue;
    }
    // It did not answer: the deletion below ends it from outside, so what its
    // close would have done is done here: the queue entry and seat given back,
    // and the stored copy closed, so the worker's repair has nothing to redo.
    if (!doc) continue;
    await deps.routing.cancel(tenantId, sessionId);
    if (doc.agentId && heldPhases.includes(doc.phase)) {
      await deps.routing.release(tenantId, doc.agentId, sessionId);
    }
    await deps.sessions.project(tenantId, sessionId, {
      phase: 'closed',
      closedAt: new Date(),
      closeReason: 'terminated',
    });
  }

  // 3. The point of no return: their workflows' histories and visibility
  //    records go (a running one is terminated by the server first). Every
  //    run found by the visitor id or by the workflow id of one of their sessions.
  const deleted = new Set<string>();
  const remove = async (workflowId: string, runId: string) => {
    // A deleted run stays listed until the server has removed it: once is enough.
    if (deleted.has(runId)) return;
    if (await deleteExecution(deps.temporal, workflowId, runId)) deleted.add(runId);
  };
  for (const { workflowId, runId } of executions) await remove(workflowId, runId);
  for (const sessionId of sessionIds) {
    const workflowId = sessionWorkflowId(tenantId, sessionId);
    const query = `WorkflowId = ${quoted(workflowId)}`;
    for (const { runId } of await listExecutions(deps.temporal, query)) {
      await remove(workflowId, runId);
    }
  }
  const workflows = deleted.size;

  // 4. Their documents, every collection; sessions last.
  const documents = await deps.customers.erase(tenantId, visitorId, [...sessionIds]);

  // 5. Their keys in Redis: caches and counters of their sessions, leftovers of
  //    routing (a closed session holds no seat or queue entry any more), the
  //    send-rate window, the cached order lookups.
  const keys = routingKeys(tenantId);
  let redisEntries = await deps.redis.del([
    sendRateKey(tenantId, visitorId),
    orderContextKey(tenantId, visitorId),
    ...[...sessionIds].flatMap((sessionId) => [
      factsKey(tenantId, sessionId),
      turnKey(tenantId, sessionId),
      keys.ticket(sessionId),
      keys.declined(sessionId),
      keys.moved(sessionId),
    ]),
  ]);
  if (sessionIds.size) {
    for (const hash of [keys.pending, keys.offers, keys.restored]) {
      redisEntries += await deps.redis.hDel(hash, [...sessionIds]);
    }
  }

  return {
    visitorId,
    sessions: sessionIds.size,
    workflows,
    deleted: documents,
    redisEntries,
  };
}
