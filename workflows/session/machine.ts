/**
 * The session's state machine (DESIGN.md §4). One workflow per open session.
 *
 * Phases and the transition table (domain/session.ts `phaseTransitions`;
 * `enter` checks every change against it):
 *
 *   robot         → queued, leave_message, closed        robot.ts
 *   queued        → queued (overflow group), reserved,   queue.ts
 *                   assigned, leave_message, closed
 *   reserved      → assigned, queued, closed             offer.ts
 *   assigned      → transferring, closed                 human.ts
 *   transferring  → assigned, queued                     transfer.ts
 *   leave_message → closed                               leave-message.ts
 *   closed        → rated                                closing.ts
 *   rated         (final)
 *
 * Timers, each a `condition(…, timeout)` from the last activity the workflow
 * can read (a deadline that depends on chat re-reads the stored activity
 * before acting):
 *   robot idle         no shopper text for robotIdleMs: the robot closes
 *                      (after reading the latest stored texts back)
 *   queue notice       every positionNoticeMs in the queue: re-assert the
 *                      entry and tell the position if it changed
 *   queue max wait     maxWaitMs after the enqueue: out of the queue, overflow
 *   reservation        reservationMs after the offer: a missed offer
 *   first response     firstResponseSlaMs after the assignment without an
 *                      agent reply: the SLA breach is recorded
 *   silent agent       flow.silentAgent minutes after the assignment or the
 *                      shopper's latest message, while the agent owes an
 *                      answer: re-offered to the group, or supervisors alerted
 *   idle warning/close idleWarnMs after the agent spoke last: the warning;
 *                      idleCloseMs after the warning: the idle close
 *   leave message      leaveMessageWindowMs for the shopper's message
 *   rating             ratingWindowMs after the close for a rating
 *
 * Invariants:
 * - The phase changes only in `enter`, which writes the SessionPhase (and
 *   GroupId, AgentId) search attributes and the stored projection together
 *   (the one exception: entering a queue, where the enqueue activity stores
 *   the queued projection with the queue entry).
 * - One step per transition (patches.ts `oneStepTransitions`): a phase
 *   change's side effects (projection, routing, notices) run as one local
 *   activity named for the transition, with an id from `transition()` that
 *   is stable across retries; runs from before replay their chains.
 * - State: `state` is what the query and the API see; the other fields are
 *   inputs waiting for the loop (inbox, offer, replies, requests) and seats
 *   to give back (strays). `SessionCarry` is all of it, for continue-as-new.
 * - Signals and updates only set fields (the phase files' input functions);
 *   the run loop acts on them, one phase step at a time, so every decision is
 *   made in one place, in order. (Runs from before patches.ts
 *   `transferInLoop` moved a transfer's seat in the update's handler while
 *   the loop waited in `transferring`; they replay that way.)
 * - A phase step returns where it goes next (`Transition`); `follow` runs it.
 *   Phase files never import each other.
 * - The commands the machine emits for every path (activities, timers,
 *   search-attribute upserts, patch markers) stay in the order recorded
 *   histories hold; a change of order goes behind an id in patches.ts.
 *
 * (A little over 300 lines because of this header: the table is the point.)
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities, TransitionName, TransitionRef } from '../../activities';
import type { Assignment } from '../../domain/agents';
import type { FlowSnapshot } from '../../domain/flow';
import { mayEnter, type SessionPhase } from '../../domain/phases';
import type { SessionInput } from '../../domain/session';
import type {
  CloseRequest,
  LeaveMessageRequest,
  RateRequest,
  VisitorText,
} from '../../domain/session-commands';
import { searchAttributes, type SessionState } from '../contract';
import { finish, ratingStep } from './closing';
import {
  iso,
  type PendingTransfer,
  type PhaseChange,
  type Session,
  type Transition,
} from './context';
import { becomeAssigned, humanStep } from './human';
import { leaveMessageStep, offerLeaveMessage } from './leave-message';
import { reservedStep, takeOffer } from './offer';
import { hasPatch, patches } from './patches';
import { queuedStep, route } from './queue';
import { robotStep } from './robot';
import { takeTransfer } from './transfer';

const activityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
} as const;

/** Activities as scheduled tasks on the server (how sessions started before local activities ran). */
const scheduledActivities = proxyActivities<SessionActivities>(activityOptions);

/**
 * The same activities run by the worker that runs the workflow task, recorded
 * as markers: no round trip through the server's task queues per call. Every
 * session activity is a short, idempotent store or routing call, which is
 * what local activities are for.
 */
const localActivities = proxyLocalActivities<SessionActivities>({
  ...activityOptions,
  localRetryThreshold: '10 seconds',
});

/** Everything a session carries into its next run after continue-as-new. */
export interface SessionCarry {
  state: SessionState;
  flow: FlowSnapshot;
  inbox: VisitorText[];
  /** Absent in carries made before texts were deduplicated. */
  heard?: string[];
  offer?: Assignment;
  strays: Assignment[];
  humanRequested: boolean;
  /** Sequence for the deterministic ids of the messages this session posts. */
  posted: number;
  /** How many one-step transitions ran (their ids); absent in carries from before them. */
  transitions?: number;
  /** Absent in carries from before the close posted the rating card. */
  ratingInvited?: boolean;
  /** Absent in carries of runs told every turn (patches.ts `turnsAtDeadlines`). */
  turnsKnownAt?: number;
}

export class SessionMachine implements Session {
  readonly state: SessionState;
  private snapshot: FlowSnapshot | undefined;
  inbox: VisitorText[];
  heard: string[];
  offer: Assignment | undefined;
  strays: Assignment[];
  humanRequested: boolean;
  posted: number;
  private transitions: number;
  ratingInvited: boolean;
  readonly oneStep: boolean;
  awaitingAssignment: boolean;
  closeRequest: CloseRequest | undefined;
  offerReply: { agentId: string; accept: boolean } | undefined;
  pendingRating: RateRequest | undefined;
  pendingLeaveMessage: LeaveMessageRequest | undefined;
  pendingTransfer: PendingTransfer | undefined;
  turns = 0;
  turnsKnownAt: number | undefined;
  finished = false;
  readonly activities: SessionActivities;
  private turnOrderPatch: boolean | undefined;
  private silentAgentPatch: boolean | undefined;
  private turnsAtDeadlinesPatch: boolean | undefined;

  constructor(
    readonly input: SessionInput,
    carried?: SessionCarry,
  ) {
    this.state = carried?.state ?? {
      tenantId: input.tenantId,
      sessionId: input.sessionId,
      visitorId: input.visitor.id,
      channel: input.channel,
      entry: input.entry,
      phase: 'robot',
      startedAt: iso(),
      lastActivityAt: iso(),
      robotMisses: 0,
      transfers: [],
    };
    this.snapshot = carried?.flow;
    this.inbox = carried?.inbox ?? [];
    this.heard = carried?.heard ?? [];
    this.offer = carried?.offer;
    this.strays = carried?.strays ?? [];
    this.humanRequested = carried?.humanRequested ?? false;
    this.posted = carried?.posted ?? 0;
    this.transitions = carried?.transitions ?? 0;
    this.ratingInvited = carried?.ratingInvited ?? false;
    this.turnsKnownAt = carried?.turnsKnownAt;
    this.awaitingAssignment = this.state.phase === 'queued';
    // Decided once, at the run's first step: a run that began with scheduled activities replays with them.
    this.activities = hasPatch(patches.localActivities) ? localActivities : scheduledActivities;
    // Also once, right after: a run that began with chains of small steps replays with them.
    this.oneStep = hasPatch(patches.oneStepTransitions);
  }

  get flow(): FlowSnapshot {
    if (!this.snapshot) throw new Error('the flow snapshot is not loaded yet');
    return this.snapshot;
  }

  get turnOrder(): boolean {
    this.turnOrderPatch ??= hasPatch(patches.turnOrder);
    return this.turnOrderPatch;
  }

  get watchesSilence(): boolean {
    this.silentAgentPatch ??= hasPatch(patches.silentAgent);
    return this.silentAgentPatch;
  }

  get readsTurnsAtDeadlines(): boolean {
    this.turnsAtDeadlinesPatch ??= hasPatch(patches.turnsAtDeadlines);
    return this.turnsAtDeadlinesPatch;
  }

  transition(name: TransitionName): TransitionRef {
    this.transitions++;
    return { name, id: `${this.state.sessionId}/${this.transitions}-${name}` };
  }

  wake(): boolean {
    return this.closeRequest !== undefined || this.strays.length > 0;
  }

  // ── the run ──────────────────────────────────────────────────────────────

  async run(): Promise<SessionState> {
    if (!this.snapshot) {
      await this.open();
      this.state.lastActivityAt = iso();
      if (!this.flow.robot.enabled) await this.follow({ to: 'route' });
    }
    // Each async call in workflow code costs the SDK's promise hook a stack
    // capture (BENCHMARKS.md, "Third pass"): the loop awaits only what has work.
    for (;;) {
      if (this.strays.length) await this.releaseStrays();
      if (this.state.phase === 'rated') return this.state;
      const next = await this.step(this.state.phase);
      if (next) await this.follow(next);
      if (this.finished) return this.state;
      if (workflowInfo().continueAsNewSuggested) await this.continueAsNewIfSuggested();
    }
  }

  /** Snapshot first (a flow edited later never changes this live session), then record and greet. */
  private async open(): Promise<void> {
    if (this.oneStep) {
      this.posted++;
      this.snapshot = await this.activities.openSession({
        transition: this.transition('open'),
        input: this.input,
        startedAt: this.state.startedAt,
        greetingPurpose: 'greeting',
      });
      return;
    }
    this.snapshot = await this.activities.loadFlowSnapshot(this.input.tenantId);
    // Activity arguments are not part of replay matching, so histories
    // recorded before the version argument still replay.
    await this.activities.recordSessionOpened(
      this.input,
      this.state.startedAt,
      this.snapshot.flowVersion,
    );
    await this.post('greeting', this.flow.templates.greeting);
  }

  /** The current phase's step: it waits for its inputs or deadline, then says where to go. */
  private async step(phase: Exclude<SessionPhase, 'rated'>): Promise<Transition | undefined> {
    switch (phase) {
      case 'robot':
        return robotStep(this);
      case 'queued':
        return queuedStep(this);
      case 'reserved':
        return reservedStep(this);
      case 'assigned':
        return humanStep(this);
      case 'transferring':
        // Runs whose transfers move the seat in the update's handler wait it out (transfer.ts).
        await this.waitOutTransfer();
        return undefined;
      case 'leave_message':
        return leaveMessageStep(this);
      case 'closed':
        return ratingStep(this);
    }
  }

  private waitOutTransfer(): Promise<void> {
    return condition(() => this.state.phase !== 'transferring');
  }

  async follow(next: Transition | undefined): Promise<void> {
    for (let to = next; to; to = await this.take(to));
  }

  private take(next: Transition): Promise<Transition | undefined> {
    switch (next.to) {
      case 'route':
        return route(this);
      case 'offer':
        return takeOffer(this, next.assignment);
      case 'assign':
        return becomeAssigned(this, next.agentId, next.notice);
      case 'leave-message':
        return offerLeaveMessage(this);
      case 'transfer':
        return takeTransfer(this);
      case 'close':
        return finish(this, next.reason, next.at);
    }
  }

  /**
   * The one place the phase changes: checks the transition table, writes the
   * search attributes and the stored projection. The phase and its search
   * attributes change at once; `change.storeFirst` stores (and runs
   * `meanwhile`) before that, otherwise after.
   */
  async enter(next: SessionPhase, change: PhaseChange = {}): Promise<void> {
    const from = this.state.phase;
    if (!mayEnter(from, next)) {
      throw new Error(`a session may not go from ${from} to ${next} (domain/session.ts)`);
    }
    // Only what there is is awaited (see run()).
    if (change.storeFirst) {
      if (change.store) await this.store(change.store);
      if (change.meanwhile) await change.meanwhile();
      this.changePhase(next, change.agentId);
      return;
    }
    this.changePhase(next, change.agentId);
    if (change.meanwhile) await change.meanwhile();
    if (change.store) await this.store(change.store);
  }

  private changePhase(phase: SessionPhase, agentId: string | undefined): void {
    const s = this.state;
    s.phase = phase;
    upsertSearchAttributes([
      { key: searchAttributes.phase, value: phase },
      ...(s.groupId ? [{ key: searchAttributes.groupId, value: s.groupId }] : []),
      ...(agentId ? [{ key: searchAttributes.agentId, value: agentId }] : []),
    ]);
  }

  private store(store: NonNullable<PhaseChange['store']>): Promise<unknown> {
    if (typeof store === 'function') return store();
    const s = this.state;
    return this.activities.project(s.tenantId, s.sessionId, store.set, store.unset);
  }

  async post(
    purpose: string,
    text: string,
    sender: 'robot' | 'system' = 'robot',
    kind: 'text' | 'system' | 'rating' = sender === 'system' ? 'system' : 'text',
  ): Promise<void> {
    this.posted++;
    await this.activities.postWorkflowMessage({
      tenantId: this.input.tenantId,
      sessionId: this.input.sessionId,
      purpose,
      text,
      sender,
      kind,
    });
  }

  private async releaseStrays(): Promise<void> {
    for (let stray = this.strays.shift(); stray; stray = this.strays.shift()) {
      // Release frees a seat only if the agent holds this session, so this is safe to repeat.
      await this.activities.releaseSeat(this.state.tenantId, stray.agentId, stray.sessionId);
    }
  }

  private async continueAsNewIfSuggested(): Promise<void> {
    // Only between steps and with no update in flight, so nothing is cut off.
    if (!workflowInfo().continueAsNewSuggested || !allHandlersFinished()) return;
    const carry: SessionCarry = {
      state: this.state,
      flow: this.flow,
      inbox: this.inbox,
      heard: this.heard,
      offer: this.offer,
      strays: this.strays,
      humanRequested: this.humanRequested,
      posted: this.posted,
      transitions: this.transitions,
      ratingInvited: this.ratingInvited,
      ...(this.turnsKnownAt !== undefined ? { turnsKnownAt: this.turnsKnownAt } : {}),
    };
    log.info('continuing as new', { sessionId: this.state.sessionId, phase: this.state.phase });
    await continueAsNew<(input: SessionInput, carried?: SessionCarry) => Promise<SessionState>>(
      this.input,
      carry,
    );
  }
}
