import type { Principal } from '../../domain/access';
import { mayRead } from '../../domain/session-access';
import type { SessionDoc } from '../../stores/collections';
import type { SessionStore } from '../../stores/sessions';
import { AppError } from '../errors';

export type StaffPrincipal = Extract<Principal, { role: 'agent' | 'supervisor' }>;

/**
 * A session of the caller's tenant that a staff member may see, by the rules
 * the chat follows (domain/session-access.ts `mayRead`): a supervisor any, an
 * agent the sessions it holds and, read-only, those it ended. Another
 * tenant's session is not found (404); a session of the tenant the agent may
 * not see is 403.
 */
export async function sessionStaffMayRead(
  sessions: Pick<SessionStore, 'get'>,
  principal: Principal | undefined,
  sessionId: string,
): Promise<{ session: SessionDoc; staff: StaffPrincipal }> {
  if (principal?.role !== 'agent' && principal?.role !== 'supervisor') {
    throw new AppError(403, 'forbidden', 'Only an agent or supervisor token reads this');
  }
  const doc = await sessions.get(principal.tenantId, sessionId);
  if (!doc) throw new AppError(404, 'not_found', `No session ${sessionId}`);
  const viewer = { type: 'agent', agentId: principal.agentId, role: principal.role } as const;
  if (
    !mayRead(viewer, {
      sessionId,
      phase: doc.phase,
      ...(doc.agentId ? { agentId: doc.agentId } : {}),
    })
  ) {
    throw new AppError(403, 'forbidden', `Session ${sessionId} is not assigned to you`);
  }
  return { session: doc, staff: principal };
}
