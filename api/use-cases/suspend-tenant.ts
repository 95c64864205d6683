import type { Client } from '@temporalio/client';
import { endedPhases, sessionOfWorkflowId, sessionPhases } from '../../domain/session';
import type { SessionStore } from '../../stores/sessions';
import type { TenantStore, TenantSummary } from '../../stores/tenants';
import { searchAttributes } from '../../workflows/contract';
import type { TenantSuspension } from '../auth/tenant-suspension';
import { closeAsOps, listExecutions, quoted } from './session-workflows';

export interface SuspendTenantDeps {
  temporal: Client;
  tenants: Pick<TenantStore, 'setSuspended'>;
  sessions: Pick<SessionStore, 'inPhases'>;
  suspension: Pick<TenantSuspension, 'forget'>;
  /** Disconnects every socket of the tenant on every gateway node; how many. */
  disconnect: (tenantId: string) => Promise<number>;
  closeTimeoutMs?: number;
}

/** Phases of a session that is still live: a suspension closes it. */
const livePhases = sessionPhases.filter((phase) => !endedPhases.includes(phase));

/** Closes this many sessions at once: a big tenant's suspension neither crawls nor floods. */
const parallelCloses = 8;

/**
 * Suspends a tenant. The decision is the stored flag: from it on, every
 * credential of the tenant is refused (at once on this node, within a
 * second on the others) and no chat opens. Then the tenant's live sessions
 * are closed politely, each by its own workflow as an operator's close
 * (closing line, seat freed, close reason `ops`), and its sockets
 * disconnected. Undefined when there is no such tenant. Repeating it is
 * harmless, and closes what a first attempt left open.
 */
export async function suspendTenant(
  deps: SuspendTenantDeps,
  tenantId: string,
): Promise<{ tenant: TenantSummary; closedSessions: number; disconnected: number } | undefined> {
  const tenant = await deps.tenants.setSuspended(tenantId, true);
  if (!tenant) return undefined;
  deps.suspension.forget(tenantId);

  // From here on, only telling: the sessions Temporal runs (a session just
  // opened may have no stored copy yet) and the stored open ones.
  const live = new Set((await deps.sessions.inPhases(tenantId, livePhases)).map((doc) => doc._id));
  const running = await listExecutions(
    deps.temporal,
    `${searchAttributes.tenantId.name} = ${quoted(tenantId)} AND ExecutionStatus = 'Running'` +
      ` AND (${livePhases.map((p) => `${searchAttributes.phase.name} = ${quoted(p)}`).join(' OR ')})`,
  );
  for (const { workflowId } of running) {
    const ids = sessionOfWorkflowId(workflowId);
    if (ids?.tenantId === tenantId) live.add(ids.sessionId);
  }
  const queue = [...live];
  let closedSessions = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallelCloses, queue.length) }, async () => {
      for (let sessionId = queue.shift(); sessionId; sessionId = queue.shift()) {
        if (await closeAsOps(deps.temporal, tenantId, sessionId, deps.closeTimeoutMs ?? 10_000)) {
          closedSessions++;
        }
      }
    }),
  );
  const disconnected = await deps.disconnect(tenantId);
  return { tenant, closedSessions, disconnected };
}
