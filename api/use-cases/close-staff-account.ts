import { RoutingInputError } from '../../routing/decide';
import type { RoutingService } from '../../routing/service';
import type { QuickReplyStore } from '../../stores/quick-replies';
import type { StaffStore } from '../../stores/staff';
import type { AccessRevocation } from '../auth/access-revocation';
import { AppError } from '../errors';
import { handBackSessions, type HandBack, type HandBackDeps } from './hand-back-sessions';

export interface CloseStaffAccountDeps extends HandBackDeps {
  staff: Pick<StaffStore, 'setActive' | 'remove'>;
  routing: Pick<RoutingService, 'setStatus' | 'removeAgent'>;
  quickReplies: Pick<QuickReplyStore, 'removeOwnedBy'>;
  revocation: Pick<AccessRevocation, 'account'>;
  /** Supervisors' monitors re-read presence. */
  onAgentChanged?: (tenantId: string) => void;
}

/**
 * Takes an agent's (or supervisor's) access away: deactivated (kept, can be
 * reactivated) or deleted (gone; a tombstone keeps its tokens refused).
 *
 * The decision is the staff record's write: from there every node refuses
 * the account's tokens and logins. Then it is told: cached access forgotten
 * on every node and the account's sockets disconnected everywhere (within
 * the second), presence set offline so nothing new is routed to it, and
 * the sessions it holds or is offered handed back to their groups. A
 * deletion then drops the agent's personal quick replies and takes it out
 * of routing. Every step is safe to repeat, so calling again finishes what
 * a crash or a slow decision left (409 `agent_busy` says when to).
 */
export async function closeStaffAccount(
  deps: CloseStaffAccountDeps,
  tenantId: string,
  agent: { agentId: string; groups: readonly string[] | undefined },
  how: 'deactivated' | 'deleted',
): Promise<HandBack> {
  const { agentId } = agent;
  if (how === 'deactivated') await deps.staff.setActive(tenantId, agentId, false);
  else await deps.staff.remove(tenantId, agentId);
  // Point of no return: what follows only makes the decision felt.
  await deps.revocation.account(tenantId, agentId, how);
  if (agent.groups === undefined) return { requeued: [], closed: [], left: [] };

  try {
    await deps.routing.setStatus(tenantId, agentId, 'offline');
  } catch (error) {
    // Taken out of routing by an earlier deletion that got this far.
    if (!(error instanceof RoutingInputError)) throw error;
  }
  deps.onAgentChanged?.(tenantId);
  const handedBack = await handBackSessions(deps, tenantId, { agentId, groups: agent.groups });
  if (how === 'deleted') {
    await deps.quickReplies.removeOwnedBy(tenantId, agentId);
    const busy = () =>
      new AppError(
        409,
        'agent_busy',
        'The account is deleted, but sessions are still on their way to it; call DELETE again in a few seconds to finish',
      );
    if (handedBack.left.length > 0) throw busy();
    try {
      await deps.routing.removeAgent(tenantId, agentId);
    } catch (error) {
      // A decision made between the last look and now: handed back on the next call.
      if (error instanceof RoutingInputError) throw busy();
      throw error;
    }
    deps.onAgentChanged?.(tenantId);
  }
  return handedBack;
}
