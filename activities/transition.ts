import type { ActivityDeps } from './deps';
import { toSessionPatch, type ProjectionPatch } from './projection';
import { tellAgent } from './deps';
import { recordPhaseEvent } from './events';
import { postWorkflowMessage, type Notice } from './workflow-message';

/**
 * One step per transition (DESIGN.md §4): a phase change's side effects run
 * as one local activity, in a fixed order, each of them safe to repeat, so a
 * retried step stores, routes and posts nothing twice. Each step names its
 * transition and carries an id stable across retries
 * (`<sessionId>/<n>-<name>`, n counting the session's transitions): the
 * domain event and the report rollup of the transition are recorded under it.
 */

/** The transitions that run as one step (machine.ts `transitionRef`). */
export const transitionNames = [
  'open',
  'hand-over',
  'reserve',
  'assign',
  'requeue',
  'leave-message',
  'close',
  'rate',
] as const;
export type TransitionName = (typeof transitionNames)[number];

export interface TransitionRef {
  name: TransitionName;
  id: string;
}

/** A phase change that stores the projection and posts notices: the steps with no routing of their own. */
export interface PhaseStep {
  transition: TransitionRef;
  tenantId: string;
  sessionId: string;
  set: ProjectionPatch;
  unset?: (keyof ProjectionPatch)[];
  /**
   * The agent the stored session named before this step (the workflow knows
   * it): the agents' lists move from it without reading the session first.
   */
  agentBefore: string | undefined;
  /** Posted after the store, in order. */
  notices: Notice[];
  /**
   * An assignment in a run that reads turns at its deadlines: the fast path
   * is to signal only this agent's first reply (messaging/turns.ts).
   */
  expectReplyFrom?: string;
}

export const transitionActivities = (deps: ActivityDeps) => ({
  /** Stores the new phase's projection, then posts its notices (assign, reserve, rate, leave a message). */
  async enterPhase(step: PhaseStep): Promise<void> {
    const { tenantId, sessionId } = step;
    // Before the projection, which is what lets the agent write.
    if (step.expectReplyFrom) {
      await deps.turns.expectReply(tenantId, sessionId, step.expectReplyFrom);
    }
    const written = await deps.sessions.project(
      tenantId,
      sessionId,
      toSessionPatch(step.set),
      step.unset ?? [],
    );
    await recordPhaseEvent(
      deps,
      { tenantId, sessionId, transitionId: step.transition.id },
      step.set,
      written,
    );
    // The room first, so the agent hears the notices live; then the line once,
    // with the last notice in it, instead of once per notice.
    deps.lists.sessionMoved(tenantId, sessionId, step.agentBefore, written);
    for (const notice of step.notices) {
      await postWorkflowMessage(deps, { tenantId, sessionId, ...notice }, { unheld: true });
    }
    tellAgent(() => deps.lists.pushLine(tenantId, written));
  },
});
