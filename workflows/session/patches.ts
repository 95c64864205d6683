import { patched } from '@temporalio/workflow';

/**
 * Every `patched()` id the session workflow has ever used, with the day it
 * shipped and why (DESIGN.md §4, "Deploys never break running sessions").
 * A run begun before a patch replays its old path; a run begun after takes
 * the new one. An id stays here until no open session or recorded history
 * (test/workflow/histories) can hold a run from before it; ids are never
 * reused or renamed, since the id is what the history records.
 *
 * Where each one is asked matters for replay: `patched()` records a marker
 * the first time a run asks, so each call stays at the point it has always
 * been made (noted per id).
 */
export const patches = {
  /**
   * 2026-11-23. Session activities run as local activities (recorded as
   * markers, no round trip through the server's task queues). Asked once, in
   * the machine's constructor, at the run's first step: a run that began
   * with scheduled activities replays with them.
   */
  localActivities: 'local-activities',
  /**
   * 2026-11-22. Who spoke last in the human phase is decided by the order
   * turns arrive, not by their timestamps, which tie when two turns arrive in
   * one workflow task. Asked lazily, the first time the human phase needs
   * turn order, and remembered for the run.
   */
  turnOrder: 'turn-order',
  /**
   * 2026-11-23. Before the robot closes a quiet session, the idle timer reads
   * the shopper's latest stored texts back: a gateway that died after storing
   * a text never told the workflow, and the acked shopper never resends.
   * Asked only when the robot's idle timer fires.
   */
  robotIdleHearsStored: 'robot-idle-hears-stored',
  /**
   * 2026-12-05. The transfer update records its request and waits; the run
   * loop moves the seat, as it acts on every other input. Before, the handler
   * moved the seat itself while the loop waited, which emits the same calls
   * in another order. Asked in the transfer update's handler: runs whose
   * transfers were recorded before replay them in the handler.
   */
  transferInLoop: 'transfer-in-loop',
  /**
   * 2026-12-05. One step per transition (DESIGN.md §4): the open, the
   * hand-over, a reservation, an assignment, a requeue after a missed offer,
   * the offer to leave a message, the close (with the rating card) and the
   * rating each run as one local activity instead of a chain of small ones
   * (a session's local activities went from about 18 to 7, each a marker
   * and a round of the workflow thread). Asked once, in the machine's
   * constructor after `localActivities`, at the run's first step: a run
   * that began with the chains replays with them.
   */
  oneStepTransitions: 'one-step-transitions',
  /**
   * 2026-12-05. A tenant's bot hook (domain/bot-hook.ts) answers the
   * shopper's texts first: each text is one more local activity (`botReply`)
   * before the FAQ robot's, which runs only when the bot does not answer.
   * Asked only in runs whose flow snapshot names an active hook, at each
   * text the robot takes: no run from before the hook existed has one, and a
   * run without a hook records no marker and no extra step.
   */
  botHook: 'bot-hook',
  /**
   * 2026-12-05. The flow's `silentAgent` setting: a deadline in the human
   * phase while the agent owes the shopper an answer, after which the
   * session goes back to its group or a supervisor is alerted. Asked only in
   * runs whose flow snapshot has the setting, the first time the human phase
   * computes its deadline: no run from before has it, and a run without it
   * records no marker.
   */
  silentAgent: 'silent-agent',
  /**
   * 2026-12-05. The agent may invite the rating mid-chat (rating-invite.ts):
   * the inviteRating update posts the rating card from its handler. Asked
   * in that handler, the first time a run is invited: no run from before
   * has the update in its history, and a run never invited records no marker.
   */
  midChatRating: 'mid-chat-rating',
  /**
   * 2026-12-05. The human phase reads turns at its deadlines instead of
   * being told each one (human.ts): the fast path signals only the agent's
   * first reply of each holding, and while a turn may be unknown the phase
   * also wakes at the earliest moment an unknown turn could make a deadline
   * due, then reads the stored activity. Asked at the run's first
   * assignment, and remembered (and carried) for the run: a run assigned
   * before it is told every turn, as the assignment step records for the
   * fast path (messaging/turns.ts).
   */
  turnsAtDeadlines: 'turns-at-deadlines',
} as const;

export type PatchId = (typeof patches)[keyof typeof patches];

/** Whether this run takes the path `id` introduced (see the list above). */
export function hasPatch(id: PatchId): boolean {
  return patched(id);
}
