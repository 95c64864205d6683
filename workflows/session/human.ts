import { fillTemplate } from '../../domain/templates';
import type { ChatTurn } from '../../domain/session-commands';
import {
  closeReasonOf,
  iso,
  notice as systemNotice,
  now,
  waitUntil,
  type Session,
  type Transition,
} from './context';
import { agentStayedSilent, silenceCountLength, silentAgentDeadline } from './silent-agent';

/**
 * The human phase. Messages take the fast path; the workflow keeps exact
 * deadlines, all from one function (`nextHumanDeadline`): the agent's
 * first-response SLA, the idle warning after the agent's reply, and the idle
 * close after the warning. When a deadline fires, the latest stored activity
 * is read before acting, since a turn the workflow was never told of still
 * counts.
 *
 * Runs with `turnsAtDeadlines` are told only the agent's first reply of each
 * holding (it stops the SLA and is projected at once): every other turn is
 * read at a deadline. A turn it was not told of can only make a deadline
 * due later than `turnsKnownAt` plus that deadline's length, so while one
 * may be unknown the phase also wakes then, reads, and sets the exact
 * deadline: never late, and one read per idle-warning length instead of a
 * signal and a workflow task per turn.
 */

/**
 * The chatTurn signal, or a turn read back from the fast path: live when told
 * by signal (at the workflow's time of arrival), or with its stored time.
 */
export function noteTurn(session: Session, turn: ChatTurn, atMs?: number): void {
  const s = session.state;
  if (turn.by === 'agent' && turn.agentId && turn.agentId !== s.agentId) return;
  const at = iso(atMs ?? now());
  const field = turn.by === 'visitor' ? 'lastVisitorAt' : 'lastAgentAt';
  const other = turn.by === 'visitor' ? s.lastAgentAt : s.lastVisitorAt;
  const latest = s[field];
  if (!latest || at > latest) s[field] = at;
  // Who spoke last is decided by order, not by clock: signals handled in
  // one workflow task share a timestamp, and the later signal is the later turn.
  if (!other || at > other || (at === other && atMs === undefined)) s.lastSpeaker = turn.by;
  session.turns++;
}

/** An agent has the session (by a decision, an accepted offer or a transfer): store, then tell. */
export async function becomeAssigned(
  session: Session,
  agentId: string,
  notice: 'joined' | 'transferred',
): Promise<Transition | undefined> {
  const s = session.state;
  // The stored session names the agent it had, or the one it was offered to.
  const agentBefore = s.agentId ?? (s.phase === 'reserved' ? agentId : undefined);
  s.agentId = agentId;
  s.assignedAt = iso();
  s.firstResponseAt = undefined;
  s.slaBreached = false;
  s.idleWarnedAt = undefined;
  s.agentSilentAt = undefined;
  s.queuePosition = undefined;
  const set = {
    phase: 'assigned' as const,
    agentId,
    assignedAt: s.assignedAt,
    ...(s.groupId ? { groupId: s.groupId } : {}),
  };
  const t = session.flow.templates;
  const template = notice === 'joined' ? t.agentJoined : t.transferred;
  if (session.oneStep) {
    // One step: the assigned projection, then who joined.
    // The agent's name is filled in by the step that posts it (the workflow knows only the id).
    const told = { ...systemNotice(`${notice}-${session.posted}`, template), agent: agentId };
    session.posted++;
    // The step tells the fast path to signal only this agent's first reply.
    const quiet = session.readsTurnsAtDeadlines;
    session.turnsKnownAt = quiet ? now() : undefined;
    await session.enter('assigned', {
      agentId,
      store: () =>
        session.activities.enterPhase({
          transition: session.transition('assign'),
          tenantId: s.tenantId,
          sessionId: s.sessionId,
          set,
          agentBefore,
          notices: [told],
          ...(quiet ? { expectReplyFrom: agentId } : {}),
        }),
    });
    return undefined;
  }
  await session.enter('assigned', { agentId, store: { set } });
  await session.post(
    `${notice}-${session.posted}`,
    fillTemplate(template, { agent: agentId }),
    'system',
  );
  return undefined;
}

/** One wait in the human phase, until a turn, a close, a transfer or the next deadline. */
export async function humanStep(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  const turns = session.turns;
  // Turns told while the assignment was being announced count at once.
  if (session.turnOrder) await noteTurns(session);
  if (session.pendingTransfer) return { to: 'transfer' };
  const somethingHappened = await waitUntil(
    () =>
      session.wake() ||
      session.turns !== turns ||
      s.phase !== 'assigned' ||
      session.pendingTransfer !== undefined,
    nextHumanDeadline(session),
  );
  if (s.phase !== 'assigned') return undefined;
  // Before a close asked for meanwhile, as when the transfer ran in its handler.
  if (session.pendingTransfer) return { to: 'transfer' };
  if (session.closeRequest) {
    return { to: 'close', reason: closeReasonOf(session, session.closeRequest.by) };
  }
  if (somethingHappened) {
    await noteTurns(session);
    return undefined;
  }
  // A deadline is due: read what was said since, then act on what still holds.
  // Every turn stored before the read began is in it.
  const readFrom = now();
  const latest = await session.activities.lastActivity(s.tenantId, s.sessionId);
  if (session.turnsKnownAt !== undefined) session.turnsKnownAt = readFrom;
  const stored = [
    { by: 'visitor' as const, at: latest.visitorAt },
    { by: 'agent' as const, at: latest.agentAt },
  ].sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  for (const turn of stored) if (turn.at !== null) noteTurn(session, { by: turn.by }, turn.at);
  await noteTurns(session);
  const t = session.flow.timeouts;
  const at = now();
  if (s.assignedAt && !s.firstResponseAt && !s.slaBreached) {
    if (at >= Date.parse(s.assignedAt) + t.firstResponseSlaMs) {
      s.slaBreached = true;
      await session.activities.recordSlaBreach(s.tenantId, s.sessionId, s.agentId ?? '', iso(at));
    }
  }
  const silentAt = silentAgentDeadline(session, () => !agentSpokeLast(session));
  if (silentAt !== undefined && at >= silentAt) return agentStayedSilent(session, silentAt);
  if (!agentSpokeLast(session)) return undefined;
  const idleCloseAt = s.idleWarnedAt ? Date.parse(s.idleWarnedAt) + t.idleCloseMs : undefined;
  if (idleCloseAt !== undefined && at >= idleCloseAt) {
    // Closed at the deadline, not after the activity read above.
    return { to: 'close', reason: 'idle', at: iso(idleCloseAt) };
  }
  if (!s.idleWarnedAt && at >= Date.parse(s.lastAgentAt ?? '') + t.idleWarnMs) {
    s.idleWarnedAt = iso(at);
    const minutes = Math.max(1, Math.round(t.idleCloseMs / 60_000));
    await session.post(
      `idle-warning-${session.posted}`,
      fillTemplate(session.flow.templates.idleWarning, { minutes }),
      'system',
    );
  }
  return undefined;
}

/** Applies what the latest turns mean: first response, and the idle warning reset. */
async function noteTurns(session: Session): Promise<void> {
  const s = session.state;
  if (s.lastAgentAt && s.assignedAt && s.lastAgentAt >= s.assignedAt && !s.firstResponseAt) {
    s.firstResponseAt = s.lastAgentAt;
    await session.activities.project(s.tenantId, s.sessionId, {
      firstResponseAt: s.firstResponseAt,
    });
  }
  if (s.idleWarnedAt && s.lastVisitorAt && s.lastVisitorAt > s.idleWarnedAt) {
    s.idleWarnedAt = undefined;
  }
  // The agent answered since their silence was acted on: the next one counts afresh.
  if (s.agentSilentAt && s.lastAgentAt && s.lastAgentAt >= s.agentSilentAt) {
    s.agentSilentAt = undefined;
  }
}

/**
 * Whether the shopper owes the next turn. Runs begun before turn order was
 * kept (patches.ts `turnOrder`) compare timestamps, which tie when two turns
 * arrive in one workflow task; they replay that way.
 */
function agentSpokeLast(session: Session): boolean {
  const s = session.state;
  if (!s.lastAgentAt || !s.assignedAt || s.lastAgentAt < s.assignedAt) return false;
  if (!session.turnOrder) return !s.lastVisitorAt || s.lastAgentAt > s.lastVisitorAt;
  return s.lastSpeaker === 'agent';
}

/**
 * The one deadline of the human phase: the first-response SLA while the
 * agent has not answered, the silent agent's while the agent owes an answer
 * (silent-agent.ts), and once the agent spoke last, the idle warning (from
 * the agent's turn) or, after the warning, the idle close.
 */
function nextHumanDeadline(session: Session): number | undefined {
  const s = session.state;
  const t = session.flow.timeouts;
  const deadlines: number[] = [];
  if (s.assignedAt && !s.firstResponseAt && !s.slaBreached) {
    deadlines.push(Date.parse(s.assignedAt) + t.firstResponseSlaMs);
  }
  if (agentSpokeLast(session)) {
    deadlines.push(
      s.idleWarnedAt
        ? Date.parse(s.idleWarnedAt) + t.idleCloseMs
        : Date.parse(s.lastAgentAt ?? '') + t.idleWarnMs,
    );
  }
  const silent = silentAgentDeadline(session, () => !agentSpokeLast(session));
  if (silent !== undefined) deadlines.push(silent);
  deadlines.push(...unknownTurnBounds(session, silent));
  return deadlines.length ? Math.min(...deadlines) : undefined;
}

/**
 * While turns may be unknown (`turnsKnownAt`): the earliest moment a turn
 * the phase was not told of could make a deadline due. An agent's reply
 * after `turnsKnownAt` starts the idle warning's count no earlier than that;
 * so does a shopper's message the silent agent's.
 */
function unknownTurnBounds(session: Session, silent: number | undefined): number[] {
  const knownAt = session.turnsKnownAt;
  if (knownAt === undefined) return [];
  const bounds: number[] = [];
  if (!agentSpokeLast(session)) bounds.push(knownAt + session.flow.timeouts.idleWarnMs);
  const silence = silent === undefined ? silenceCountLength(session) : undefined;
  if (silence !== undefined) bounds.push(knownAt + silence);
  return bounds;
}
