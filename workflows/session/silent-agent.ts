import { iso, notice, type Session, type Transition } from './context';

/**
 * The silent agent (flow `silentAgent`, patches.ts `silentAgent`): the human
 * phase's deadline while the agent owes the shopper an answer. It counts from
 * the assignment or the shopper's latest message, whichever is later, so the
 * agent's reply (a chatTurn signal, or a stored turn read back when the
 * deadline fires) stops it, and the shopper's next unanswered message starts
 * it again. Once it passes, the fact is recorded and the shopper told (one
 * step), then the session either goes back to its group through the transfer
 * step (the router frees the silent agent's seat and never offers them the
 * session again) or stays where it is while supervisors are alerted. A
 * silence is acted on once: the next one begins after the agent's next turn.
 */

/** When the agent's silence is due, or undefined when none is counting. */
export function silentAgentDeadline(
  session: Session,
  agentOwesAnswer: () => boolean,
): number | undefined {
  const s = session.state;
  const rule = session.flow.silentAgent;
  // The setting first: a run without it never asks for the patch (no marker).
  if (!rule || !s.assignedAt || s.agentSilentAt) return undefined;
  if (!session.watchesSilence || !agentOwesAnswer()) return undefined;
  return silentSince(session) + rule.afterMinutes * 60_000;
}

/**
 * How long a silence runs before it is acted on, in runs that watch for
 * one (the setting first, as above: no marker without it).
 */
export function silenceCountLength(session: Session): number | undefined {
  const rule = session.flow.silentAgent;
  if (!rule || !session.watchesSilence) return undefined;
  return rule.afterMinutes * 60_000;
}

/** The start of the silence: the assignment, or the shopper's latest message after it. */
function silentSince(session: Session): number {
  const s = session.state;
  const assigned = Date.parse(s.assignedAt ?? '');
  const visitor = s.lastVisitorAt ? Date.parse(s.lastVisitorAt) : assigned;
  return Math.max(assigned, visitor);
}

/**
 * The deadline passed with the agent still silent: record it and tell the
 * shopper, then re-offer (the transfer step moves the seat to the group) or
 * stay. Without a group to go back to, the session stays and supervisors
 * are alerted.
 */
export async function agentStayedSilent(
  session: Session,
  at: number,
): Promise<Transition | undefined> {
  const s = session.state;
  const rule = session.flow.silentAgent;
  if (!rule || !s.agentId) return undefined;
  const groupId = s.groupId;
  const reoffer = rule.action === 'reoffer' && groupId !== undefined;
  s.agentSilentAt = iso(at);
  const t = session.flow.templates;
  const told = notice(
    `agent-silent-${session.posted}`,
    reoffer ? t.agentSilentReoffer : t.agentSilentAlert,
  );
  session.posted++;
  await session.activities.recordAgentSilent({
    tenantId: s.tenantId,
    sessionId: s.sessionId,
    agentId: s.agentId,
    at: s.agentSilentAt,
    since: iso(silentSince(session)),
    action: reoffer ? 'reoffer' : 'alert',
    afterMinutes: rule.afterMinutes,
    notice: told,
  });
  if (!reoffer) return undefined;
  // Nobody awaits this transfer's answer: a refusal by the router leaves the
  // session with its agent, as an agent's own failed transfer does.
  session.pendingTransfer = {
    request: { by: { type: 'ops' }, toGroupId: groupId },
    taken: false,
  };
  return { to: 'transfer' };
}
