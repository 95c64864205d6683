import { ApplicationFailure, condition } from '@temporalio/workflow';
import type { Notice, SessionActivities, TransitionName, TransitionRef } from '../../activities';
import type { Assignment } from '../../domain/agents';
import type { FlowSnapshot } from '../../domain/flow';
import type { SessionPhase } from '../../domain/phases';
import type { SessionInput } from '../../domain/session';
import type {
  Actor,
  CloseReason,
  CloseRequest,
  LeaveMessageRequest,
  RateRequest,
  TransferRequest,
  VisitorText,
} from '../../domain/session-commands';
import { refusalTypes, type SessionState } from '../contract';

/**
 * What every phase file works on: the session machine as its phases see it
 * (machine.ts implements it). Phase files import this module and never each
 * other; a step that leaves its phase returns a `Transition` and the machine
 * runs it, so the files hold no import circle.
 */

/** Where a phase step goes next, run by the machine; none means "run my phase again". */
export type Transition =
  /** queue.ts: leave the robot, pick the group, check its hours, queue. */
  | { to: 'route' }
  /** offer.ts: a routing decision arrived: reserve it for the agent, or assign at once. */
  | { to: 'offer'; assignment: Assignment }
  /** human.ts: an agent has the session; tell the shopper who joined. */
  | { to: 'assign'; agentId: string; notice: 'joined' | 'transferred' }
  /** leave-message.ts: nobody can take the chat; ask for a message instead. */
  | { to: 'leave-message' }
  /** transfer.ts: move the seat as the pending transfer asks. */
  | { to: 'transfer' }
  /** closing.ts: close with this reason; `at` is a deadline's own time (default: now). */
  | { to: 'close'; reason: CloseReason; at?: string };

/** The fields of the stored projection `project` writes. */
export type ProjectionPatch = Parameters<SessionActivities['project']>[2];

/** What a phase change writes besides the phase and its search attributes (see `enter`). */
export interface PhaseChange {
  /** Also written as the AgentId search attribute. */
  agentId?: string;
  /**
   * The stored projection of the new phase: fields to set and to unset, or
   * the activity that stores it together with its domain event.
   */
  store?: { set: ProjectionPatch; unset?: (keyof ProjectionPatch)[] } | (() => Promise<unknown>);
  /** Effects recorded between the phase change and the store (or the store and the change). */
  meanwhile?: () => Promise<unknown>;
  /**
   * Store first, then `meanwhile`, then change phase: the stored session
   * shows the new phase before the workflow acts in it (leave_message, rated).
   */
  storeFirst?: boolean;
}

/** A transfer update waiting for the run loop to move the seat (transfer.ts). */
export interface PendingTransfer {
  readonly request: TransferRequest;
  /** Set when the loop starts on it: from then on its outcome is coming. */
  taken: boolean;
  /** The transfer's answer: the state after it, or the refusal or failure to raise. */
  outcome?: { state: SessionState } | { error: unknown };
}

export interface Session {
  readonly input: SessionInput;
  readonly state: SessionState;
  /** The flow configuration read at start; a running session keeps it. */
  readonly flow: FlowSnapshot;
  readonly activities: SessionActivities;
  /** Shopper texts the robot has not answered yet, oldest first. */
  inbox: VisitorText[];
  /** The ids of the latest shopper texts the robot was told of, oldest first. */
  heard: string[];
  /** A routing decision waiting to be taken. */
  offer: Assignment | undefined;
  /** Routing decisions nobody waits for: their seats go back at the top of the loop. */
  strays: Assignment[];
  humanRequested: boolean;
  /** Set while an assignment decision is expected (queued, or transferring to a group). */
  awaitingAssignment: boolean;
  closeRequest: CloseRequest | undefined;
  offerReply: { agentId: string; accept: boolean } | undefined;
  pendingRating: RateRequest | undefined;
  pendingLeaveMessage: LeaveMessageRequest | undefined;
  pendingTransfer: PendingTransfer | undefined;
  /** Counts turn changes told, so the human phase wakes on a new one. */
  turns: number;
  /** Set when the session has nothing left to wait for: the run returns. */
  finished: boolean;
  /**
   * Sequence for the deterministic ids of the messages this session posts:
   * advanced by `post`, and by each one-step transition for the notices it posted.
   */
  posted: number;
  /** Whether this run takes one step per transition (patches.ts `oneStepTransitions`). */
  readonly oneStep: boolean;
  /** Set when the close's one step posted the rating card (the rating step posts none then). */
  ratingInvited: boolean;
  /** Names the next one-step transition, with an id stable across retries and replays. */
  transition(name: TransitionName): TransitionRef;
  /** Whether this run keeps turn order (patches.ts `turnOrder`), asked once. */
  readonly turnOrder: boolean;
  /** Whether this run watches for a silent agent (patches.ts `silentAgent`), asked once. */
  readonly watchesSilence: boolean;
  /** Whether this run reads turns at its deadlines (patches.ts `turnsAtDeadlines`), asked once. */
  readonly readsTurnsAtDeadlines: boolean;
  /**
   * While the human phase is told only the agent's first reply: when it last
   * knew every turn (the assignment, or its latest read of the stored
   * activity). Any turn it was not told of came after this. Undefined in
   * runs told every turn.
   */
  turnsKnownAt: number | undefined;
  /** Something every waiting phase wakes for: a close request or a seat to give back. */
  wake(): boolean;
  /** The only place a phase changes (machine.ts). */
  enter(next: SessionPhase, change?: PhaseChange): Promise<void>;
  /** Runs a transition (and whatever it leads to) to its end. */
  follow(next: Transition | undefined): Promise<void>;
  /** Posts a robot/system message with an id unique within the session and stable across retries. */
  post(
    purpose: string,
    text: string,
    sender?: 'robot' | 'system',
    kind?: 'text' | 'system' | 'rating',
  ): Promise<void>;
}

/**
 * A notice a one-step transition posts, worded as `post` words its messages
 * (a system sender's message is of kind system unless it says otherwise).
 */
export function notice(
  purpose: string,
  text: string,
  sender: 'robot' | 'system' = 'system',
  kind: 'text' | 'system' | 'rating' = sender === 'system' ? 'system' : 'text',
): Notice {
  return { purpose, text, sender, kind };
}

export const now = (): number => Date.now();
export const iso = (ms = now()): string => new Date(ms).toISOString();

/**
 * Waits until `ready()` or the deadline (epoch ms; none = forever). True when
 * ready, false when the deadline passed first: callers name what false means.
 */
export async function waitUntil(
  ready: () => boolean,
  deadline: number | undefined,
): Promise<boolean> {
  if (deadline === undefined) {
    await condition(ready);
    return true;
  }
  const remaining = deadline - now();
  if (remaining <= 0) return ready();
  return condition(ready, remaining);
}

/** A clear refusal of an update, raised in its validator before anything is recorded. */
export function refuse(type: keyof typeof refusalTypes, message: string): never {
  throw ApplicationFailure.create({ type: refusalTypes[type], message, nonRetryable: true });
}

/** Whether the actor may act on the session as its agent (or is not an agent at all). */
export function mayAct(session: Session, actor: Actor): boolean {
  if (actor.type !== 'agent') return true;
  return actor.supervisor || actor.agentId === session.state.agentId;
}

/** The close reason a close request by `actor` records in the current phase. */
export function closeReasonOf(session: Session, actor: Actor): CloseReason {
  if (actor.type === 'visitor') return session.state.phase === 'queued' ? 'abandoned' : 'visitor';
  return actor.type === 'agent' ? 'agent' : 'ops';
}
