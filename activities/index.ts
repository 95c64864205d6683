import { botHookActivities } from './bot-hook';
import { closingActivities } from './closing';
import type { ActivityDeps } from './deps';
import { humanActivities } from './human';
import { leaveMessageActivities } from './leave-message';
import { offerActivities } from './offer';
import { openingActivities } from './opening';
import { projectionActivities } from './projection';
import { queueActivities } from './queue';
import { robotActivities } from './robot';
import { silentAgentActivities } from './silent-agent';
import { transferActivities } from './transfer';
import { transitionActivities } from './transition';
import { workflowMessageActivities } from './workflow-message';

export type { ActivityDeps } from './deps';
export type { BotTurn } from './bot-hook';
export type { EnqueueOutcome } from './queue';
export type { ProjectionPatch } from './projection';
export type { Notice, WorkflowMessage } from './workflow-message';
export type { PhaseStep, TransitionName, TransitionRef } from './transition';

/**
 * Side effects of the session workflow, one factory per behaviour, named as
 * the workflow's phases are. Built from their dependencies by the worker (or
 * a test); the workflow sees only their types. Recorded histories name
 * activities by their keys here, so a key is never renamed, and no two
 * factories may share one (a later spread would silently replace the other).
 */
export const createActivities = (deps: ActivityDeps) => ({
  ...openingActivities(deps),
  ...workflowMessageActivities(deps),
  ...robotActivities(deps),
  ...queueActivities(deps),
  ...offerActivities(deps),
  ...humanActivities(deps),
  ...transferActivities(deps),
  ...projectionActivities(deps),
  ...leaveMessageActivities(deps),
  ...closingActivities(deps),
  ...transitionActivities(deps),
  ...botHookActivities(deps),
  ...silentAgentActivities(deps),
});

export type SessionActivities = ReturnType<typeof createActivities>;

/**
 * One object literal refused a repeated key; spreads do not, so this fails
 * to compile when two behaviours define the same activity name (the error
 * names it). Keep the list in step with the spreads above.
 */
type Behaviours = [
  typeof openingActivities,
  typeof workflowMessageActivities,
  typeof robotActivities,
  typeof queueActivities,
  typeof offerActivities,
  typeof humanActivities,
  typeof transferActivities,
  typeof projectionActivities,
  typeof leaveMessageActivities,
  typeof closingActivities,
  typeof transitionActivities,
  typeof botHookActivities,
  typeof silentAgentActivities,
];
type SharedNames<Factories, Seen = never> = Factories extends [
  (deps: ActivityDeps) => infer Built,
  ...infer Rest,
]
  ? [Extract<keyof Built, Seen>] extends [never]
    ? SharedNames<Rest, Seen | keyof Built>
    : { sharedActivityNames: Extract<keyof Built, Seen> }
  : 'none';
type Expect<Check extends 'none'> = Check;
export type NoSharedActivityNames = Expect<SharedNames<Behaviours>>;
