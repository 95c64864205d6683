/**
 * A session's phases and the transitions between them. A module of its own,
 * with no schema, so the session workflow checks its transitions without
 * building zod schemas in every workflow it runs (workers/session-worker.ts).
 */

/** Phases of DESIGN.md §4, in the order a session usually meets them. */
export const sessionPhases = [
  'robot',
  'queued',
  'reserved',
  'assigned',
  'transferring',
  'leave_message',
  'closed',
  'rated',
] as const;
export type SessionPhase = (typeof sessionPhases)[number];

/** Phases of a session that has ended: it holds no seat and takes no more chat. */
export const endedPhases: readonly SessionPhase[] = ['closed', 'rated'];

/**
 * The diagram of DESIGN.md §4 as data: for each phase, the phases a session
 * may enter from it. The workflow checks every phase change against this
 * table (workflows/session/machine.ts `enter`); the API and ops read it to
 * know what can follow what.
 *
 * - queued → queued: the overflow group takes the session after its own
 *   group's queue was full or its wait ran out.
 * - transferring → assigned: the transfer reached an agent, or failed and the
 *   session stays with its agent.
 * - rated is final; a closed session without a rating to take ends as closed.
 */
export const phaseTransitions: Readonly<Record<SessionPhase, readonly SessionPhase[]>> = {
  robot: ['queued', 'leave_message', 'closed'],
  queued: ['queued', 'reserved', 'assigned', 'leave_message', 'closed'],
  reserved: ['queued', 'assigned', 'closed'],
  assigned: ['transferring', 'closed'],
  transferring: ['assigned', 'queued'],
  leave_message: ['closed'],
  closed: ['rated'],
  rated: [],
};

/** Whether the table lets a session in phase `from` enter phase `to`. */
export function mayEnter(from: SessionPhase, to: SessionPhase): boolean {
  return phaseTransitions[from].includes(to);
}
