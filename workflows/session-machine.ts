import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EnqueueOutcome, SessionActivities } from '../activities';
import type { Assignment } from '../domain/agents';
import { fillTemplate, type FlowSnapshot } from '../domain/flow';
import { routeSession } from '../domain/routing-rules';
import { endedPhases, type SessionInput, type SessionPhase } from '../domain/session';
import type {
  Actor,
  ChatTurn,
  CloseReason,
  CloseRequest,
  LeaveMessageRequest,
  RateRequest,
  TransferRequest,
  VisitorText,
} from '../domain/session-commands';
import { refusalTypes, searchAttributes, type SessionState } from './contract';

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
}

const now = () => Date.now();
const iso = (ms = now()) => new Date(ms).toISOString();
/** How many shopper text ids the robot remembers against retold texts. */
const heardKept = 32;
/**
 * The shopper texts the robot's idle check reads back. Fewer than
 * `heardKept`, so each one it heard is still remembered as heard.
 */
const unheardTextsRead = 5;

/** Waits until `ready()` or the deadline (epoch ms; none = forever). True when ready. */
async function waitUntil(ready: () => boolean, deadline: number | undefined): Promise<boolean> {
  if (deadline === undefined) {
    await condition(ready);
    return true;
  }
  const remaining = deadline - now();
  if (remaining <= 0) return ready();
  return condition(ready, remaining);
}

export function refuse(type: keyof typeof refusalTypes, message: string): never {
  throw ApplicationFailure.create({ type: refusalTypes[type], message, nonRetryable: true });
}

/**
 * The session's state machine (DESIGN.md §4): robot → queued → (reserved →)
 * assigned → closed → rated, with leave_message and transfers. Inputs from
 * signals and updates only set fields here; `run` acts on them, so every
 * decision is made in one place, in order.
 */
export class SessionMachine {
  readonly state: SessionState;
  flow: FlowSnapshot | undefined;
  private inbox: VisitorText[];
  /** The ids of the latest shopper texts the robot was told of, oldest first. */
  private heard: string[];
  private offer: Assignment | undefined;
  private strays: Assignment[];
  private humanRequested: boolean;
  private posted: number;
  /** Set while an assignment decision is expected (queued, or transferring to a group). */
  private awaitingAssignment = false;
  private closeRequest: CloseRequest | undefined;
  private offerReply: { agentId: string; accept: boolean } | undefined;
  private pendingRating: RateRequest | undefined;
  private pendingLeaveMessage: LeaveMessageRequest | undefined;
  private turns = 0;
  private readonly activities: SessionActivities;
  private turnOrderPatch: boolean | undefined;

  constructor(
    private readonly input: SessionInput,
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
    this.flow = carried?.flow;
    this.inbox = carried?.inbox ?? [];
    this.heard = carried?.heard ?? [];
    this.offer = carried?.offer;
    this.strays = carried?.strays ?? [];
    this.humanRequested = carried?.humanRequested ?? false;
    this.posted = carried?.posted ?? 0;
    this.awaitingAssignment = this.state.phase === 'queued';
    // Decided once, at the run's first step: a run that began with scheduled activities replays with them.
    this.activities = patched('local-activities') ? localActivities : scheduledActivities;
  }

  private get ids() {
    return { tenantId: this.input.tenantId, sessionId: this.input.sessionId };
  }

  private get f(): FlowSnapshot {
    if (!this.flow) throw new Error('the flow snapshot is not loaded yet');
    return this.flow;
  }

  // ── inputs (called by handlers) ──────────────────────────────────────────

  onAssigned(assignment: Assignment): void {
    const s = this.state;
    if (assignment.sessionId !== s.sessionId) return;
    // A redelivered decision we already act on.
    if (assignment.agentId === s.agentId || assignment.agentId === s.offeredAgentId) return;
    if (assignment.agentId === this.offer?.agentId) return;
    if (this.awaitingAssignment && !this.offer) this.offer = assignment;
    // A decision nobody waits for (made after we left the queue): give the seat back.
    else this.strays.push(assignment);
  }

  onVisitorText(message: VisitorText): void {
    if (this.state.phase !== 'robot') return;
    // A gateway retells a text when the shopper resends it, in case the node
    // that stored it died before telling; the robot hears each id once.
    // (No history holds a repeated id from before this check, so replay is unchanged.)
    if (this.heard.includes(message.messageId)) return;
    this.heard = [...this.heard.slice(1 - heardKept), message.messageId];
    this.inbox.push(message);
  }

  /**
   * A turn change: live when told by signal (at the workflow's time of
   * arrival), or read back from the fast path with its stored time.
   */
  onTurn(turn: ChatTurn, atMs?: number): void {
    const s = this.state;
    if (turn.by === 'agent' && turn.agentId && turn.agentId !== s.agentId) return;
    const at = iso(atMs ?? now());
    const field = turn.by === 'visitor' ? 'lastVisitorAt' : 'lastAgentAt';
    const other = turn.by === 'visitor' ? s.lastAgentAt : s.lastVisitorAt;
    const latest = s[field];
    if (!latest || at > latest) s[field] = at;
    // Who spoke last is decided by order, not by clock: signals handled in
    // one workflow task share a timestamp, and the later signal is the later turn.
    if (!other || at > other || (at === other && atMs === undefined)) s.lastSpeaker = turn.by;
    this.turns++;
  }

  validateRequestHuman(): void {
    if (this.state.phase !== 'robot') refuse('wrongPhase', `the session is ${this.state.phase}`);
  }

  async requestHuman(): Promise<SessionState> {
    this.humanRequested = true;
    await condition(() => this.state.phase !== 'robot');
    return this.state;
  }

  validateOfferReply(agentId: string): void {
    if (this.state.phase !== 'reserved' || this.state.offeredAgentId !== agentId) {
      refuse('forbidden', `the session is not offered to agent ${agentId}`);
    }
  }

  async replyToOffer(agentId: string, accept: boolean): Promise<SessionState> {
    this.offerReply = { agentId, accept };
    await condition(() => this.state.phase !== 'reserved');
    return this.state;
  }

  private mayAct(actor: Actor): boolean {
    if (actor.type !== 'agent') return true;
    return actor.supervisor || actor.agentId === this.state.agentId;
  }

  validateClose(request: CloseRequest): void {
    const { phase } = this.state;
    if (endedPhases.includes(phase)) refuse('wrongPhase', 'the session is already closed');
    if (request.by.type === 'agent' && !this.mayAct(request.by)) {
      refuse('forbidden', 'only the session’s agent or a supervisor may close it');
    }
  }

  async close(request: CloseRequest): Promise<SessionState> {
    this.closeRequest ??= request;
    await condition(() => endedPhases.includes(this.state.phase));
    return this.state;
  }

  validateTransfer(request: TransferRequest): void {
    const s = this.state;
    if (s.phase !== 'assigned') refuse('wrongPhase', `the session is ${s.phase}, not assigned`);
    if (request.by.type === 'visitor' || !this.mayAct(request.by)) {
      refuse('forbidden', 'only the session’s agent or a supervisor may transfer it');
    }
    if (request.toAgentId === s.agentId)
      refuse('invalid', 'toAgentId: the session is already theirs');
  }

  /** Moves the seat atomically through the router, then tells everyone. */
  async transfer(request: TransferRequest): Promise<SessionState> {
    const s = this.state;
    const fromAgentId = s.agentId ?? '';
    this.setPhase('transferring');
    if (request.toGroupId) {
      // The group's decision arrives like any other assignment; its wait starts now.
      this.offer = undefined;
      this.awaitingAssignment = true;
      s.enqueuedAt = now();
    }
    let result: Awaited<ReturnType<SessionActivities['transferSeat']>>;
    try {
      result = await this.activities.transferSeat(this.input.tenantId, {
        sessionId: s.sessionId,
        fromAgentId,
        priority: s.priority ?? 0,
        ...(request.toAgentId
          ? { toAgentId: request.toAgentId }
          : { toGroupId: request.toGroupId ?? '' }),
      });
    } catch (error) {
      this.awaitingAssignment = false;
      this.setPhase('assigned');
      const cause = error instanceof ActivityFailure ? error.cause : error;
      if (cause instanceof ApplicationFailure) refuse('unavailable', cause.message);
      throw error;
    }
    const record = {
      at: iso(),
      fromAgentId,
      by: request.by.type === 'agent' ? request.by.agentId : request.by.type,
      ...(request.toAgentId ? { toAgentId: request.toAgentId } : { toGroupId: request.toGroupId }),
    };
    s.transfers.push(record);
    await this.activities.recordTransfer(s.tenantId, s.sessionId, {
      at: record.at,
      fromAgentId,
      ...(request.toAgentId ? { toAgentId: request.toAgentId } : { toGroupId: request.toGroupId }),
    });
    if (request.toAgentId && result.status === 'assigned') {
      await this.becomeAssigned(result.agentId, 'transferred');
    } else {
      s.agentId = undefined;
      s.groupId = request.toGroupId;
      s.queuePosition = result.status === 'queued' ? result.position : undefined;
      this.setPhase('queued');
      await this.activities.project(
        s.tenantId,
        s.sessionId,
        { phase: 'queued', groupId: s.groupId, enqueuedAt: s.enqueuedAt },
        ['agentId'],
      );
    }
    return s;
  }

  validateRate(): void {
    const s = this.state;
    if (s.phase !== 'closed' || !s.assignedAt || !this.f.rating.enabled) {
      refuse('wrongPhase', 'this session takes no rating now');
    }
    if (s.rating || this.pendingRating) refuse('wrongPhase', 'the session is already rated');
  }

  async rate(request: RateRequest): Promise<SessionState> {
    this.pendingRating = request;
    await condition(() => this.state.phase === 'rated');
    return this.state;
  }

  validateLeaveMessage(): void {
    if (this.state.phase !== 'leave_message' || this.pendingLeaveMessage) {
      refuse('wrongPhase', `the session is ${this.state.phase}, not waiting for a message`);
    }
  }

  async leaveMessage(request: LeaveMessageRequest): Promise<SessionState> {
    this.pendingLeaveMessage = request;
    await condition(
      () => this.state.ticketId !== undefined || this.state.phase !== 'leave_message',
    );
    return this.state;
  }

  // ── the run ──────────────────────────────────────────────────────────────

  async run(): Promise<SessionState> {
    if (!this.flow) {
      // Snapshot first: a flow edited later never changes this live session.
      this.flow = await this.activities.loadFlowSnapshot(this.input.tenantId);
      // Activity arguments are not part of replay matching, so histories
      // recorded before the version argument still replay.
      await this.activities.recordSessionOpened(
        this.input,
        this.state.startedAt,
        this.flow.flowVersion,
      );
      await this.post('greeting', this.f.templates.greeting);
      this.state.lastActivityAt = iso();
      if (!this.f.robot.enabled) await this.route();
    }
    for (;;) {
      await this.releaseStrays();
      switch (this.state.phase) {
        case 'robot':
          await this.robotPhase();
          break;
        case 'queued':
          await this.queuedPhase();
          break;
        case 'reserved':
          await this.reservedPhase();
          break;
        case 'assigned':
          await this.assignedPhase();
          break;
        case 'transferring':
          await condition(() => this.state.phase !== 'transferring');
          break;
        case 'leave_message':
          await this.leaveMessagePhase();
          break;
        case 'closed':
          await this.ratingPhase();
          break;
        case 'rated':
          return this.state;
      }
      if (this.finished) return this.state;
      await this.continueAsNewIfSuggested();
    }
  }

  private finished = false;

  private async continueAsNewIfSuggested(): Promise<void> {
    // Only between steps and with no update in flight, so nothing is cut off.
    if (!workflowInfo().continueAsNewSuggested || !allHandlersFinished()) return;
    const carry: SessionCarry = {
      state: this.state,
      flow: this.f,
      inbox: this.inbox,
      heard: this.heard,
      offer: this.offer,
      strays: this.strays,
      humanRequested: this.humanRequested,
      posted: this.posted,
    };
    log.info('continuing as new', { sessionId: this.state.sessionId, phase: this.state.phase });
    await continueAsNew<(input: SessionInput, carried?: SessionCarry) => Promise<SessionState>>(
      this.input,
      carry,
    );
  }

  private wake = () => this.closeRequest !== undefined || this.strays.length > 0;

  private async robotPhase(): Promise<void> {
    const s = this.state;
    const ready = () => this.wake() || this.inbox.length > 0 || this.humanRequested;
    const idleDeadline = Date.parse(s.lastActivityAt) + this.f.timeouts.robotIdleMs;
    const active = await waitUntil(ready, idleDeadline);
    if (!active && patched('robot-idle-hears-stored')) {
      // Quiet, as far as signals tell. A text stored by a gateway that died before telling
      // would be left unanswered and the shopper closed on: read the latest ones back first.
      const stored = await this.activities.recentVisitorTexts(
        s.tenantId,
        s.sessionId,
        unheardTextsRead,
      );
      for (const text of stored) this.onVisitorText(text);
      if (this.inbox.length) return;
    }
    // Closed at the deadline it missed, not after the read-back above (which takes real time).
    if (!active) return this.finish('robot_idle', iso(idleDeadline));
    if (this.closeRequest) return this.finish(this.closeReasonOf(this.closeRequest.by));
    if (this.strays.length) return;
    if (this.humanRequested) return this.route();
    const message = this.inbox.shift();
    if (!message) return;
    s.lastActivityAt = iso();
    const outcome = await this.activities.robotReply({
      ...this.ids,
      messageId: message.messageId,
      text: message.text,
      flow: { robot: this.f.robot, templates: this.f.templates },
    });
    if (outcome === 'handover') return this.route();
    s.robotMisses = outcome === 'missed' ? s.robotMisses + 1 : 0;
    if (s.robotMisses >= this.f.robot.missLimit) return this.route();
    s.lastActivityAt = iso();
  }

  /** Leaves the robot: picks the group by the flow's rules, checks hours, queues. */
  private async route(): Promise<void> {
    const s = this.state;
    const target = routeSession(this.f.routing, {
      channel: this.input.channel,
      entryType: this.input.entry.type,
      visitorTags: this.input.visitor.tags,
    });
    s.groupId = target.groupId;
    s.priority = target.priority;
    if (!(await this.activities.withinWorkingHours(s.tenantId, target.groupId))) {
      await this.post('off-hours', this.f.templates.offHours, 'system');
      return this.offerLeaveMessage();
    }
    await this.post('handover', this.f.templates.handover, 'system');
    s.enqueuedAt = now();
    await this.enqueueIn(target.groupId);
  }

  private async enqueueIn(groupId: string): Promise<void> {
    const s = this.state;
    s.groupId = groupId;
    this.setPhase('queued');
    this.awaitingAssignment = true;
    const preferredAgentId =
      (await this.activities.previousAgent(s.tenantId, s.visitorId, this.f.queue.stickyWindowMs)) ??
      undefined;
    const outcome: EnqueueOutcome = await this.activities.enqueue({
      tenantId: s.tenantId,
      sessionId: s.sessionId,
      groupId,
      priority: s.priority ?? 0,
      enqueuedAt: s.enqueuedAt ?? now(),
      maxLength: this.f.queue.maxLength,
      ...(preferredAgentId ? { preferredAgentId } : {}),
    });
    if (outcome.status === 'full' || outcome.status === 'no_group') return this.overflow();
    if (outcome.status === 'queued') await this.noticePosition();
  }

  /** Too long a queue or wait: the overflow group once, else a message for later. */
  private async overflow(): Promise<void> {
    const s = this.state;
    const next = s.overflowed
      ? null
      : await this.activities.overflowGroupOf(s.tenantId, s.groupId ?? '');
    if (next) {
      s.overflowed = true;
      return this.enqueueIn(next);
    }
    this.awaitingAssignment = false;
    return this.offerLeaveMessage();
  }

  private async noticePosition(): Promise<void> {
    const s = this.state;
    const status = await this.activities.queueStatus(s.tenantId, s.sessionId);
    if (!status) return;
    if (status.position === s.queuePosition) return;
    s.queuePosition = status.position;
    s.estimatedWaitMs = status.estimatedWaitMs;
    const t = this.f.templates;
    const text =
      status.estimatedWaitMs === undefined
        ? fillTemplate(t.queued, { position: status.position })
        : fillTemplate(t.queuedWithWait, {
            position: status.position,
            wait: Math.max(1, Math.round(status.estimatedWaitMs / 60_000)),
          });
    await this.post(`queue-${this.posted}`, text, 'system');
  }

  private async queuedPhase(): Promise<void> {
    const s = this.state;
    const waitDeadline = (s.enqueuedAt ?? now()) + this.f.queue.maxWaitMs;
    const ready = () => this.wake() || this.offer !== undefined;
    const notice = Math.min(waitDeadline, now() + this.f.queue.positionNoticeMs);
    const woken = await waitUntil(ready, notice);
    if (this.offer) return this.takeOffer(this.offer);
    if (this.strays.length) return;
    if (this.closeRequest || (!woken && now() >= waitDeadline)) {
      // Out of the queue first; if a decision was made meanwhile, its offer is on its way.
      if (!(await this.activities.cancelQueued(s.tenantId, s.sessionId))) {
        const arrived = await waitUntil(() => this.offer !== undefined, now() + 30_000);
        if (!arrived) await this.reassertQueue();
        return;
      }
      if (this.closeRequest) return this.finish('abandoned');
      return this.overflow();
    }
    await this.reassertQueue();
  }

  /**
   * Re-asserts the queue entry (a no-op while Redis has it; after Redis lost
   * its data this puts the session back in its original place) and tells
   * the shopper their position if it changed.
   */
  private async reassertQueue(): Promise<void> {
    const s = this.state;
    const status = await this.activities.queueStatus(s.tenantId, s.sessionId);
    if (!status && !this.offer) {
      await this.activities.enqueue({
        tenantId: s.tenantId,
        sessionId: s.sessionId,
        groupId: s.groupId ?? '',
        priority: s.priority ?? 0,
        enqueuedAt: s.enqueuedAt ?? now(),
        maxLength: Number.MAX_SAFE_INTEGER,
      });
    }
    if (!this.offer) await this.noticePosition();
  }

  private async takeOffer(assignment: Assignment): Promise<void> {
    this.offer = undefined;
    this.awaitingAssignment = false;
    if (assignment.offer) {
      const s = this.state;
      s.offeredAgentId = assignment.agentId;
      s.agentId = undefined;
      this.setPhase('reserved', { agentId: assignment.agentId });
      await this.activities.project(s.tenantId, s.sessionId, {
        phase: 'reserved',
        agentId: assignment.agentId,
        groupId: assignment.groupId,
      });
      s.lastActivityAt = iso();
      return;
    }
    this.state.groupId = assignment.groupId;
    await this.becomeAssigned(assignment.agentId, 'joined');
  }

  private async reservedPhase(): Promise<void> {
    const s = this.state;
    const agentId = s.offeredAgentId ?? '';
    const deadline = Date.parse(s.lastActivityAt) + this.f.timeouts.reservationMs;
    await waitUntil(() => this.wake() || this.offerReply !== undefined, deadline);
    const reply = this.offerReply;
    this.offerReply = undefined;
    if (this.strays.length && !reply && !this.closeRequest && now() < deadline) return;
    if (this.closeRequest) {
      await this.activities.releaseSeat(s.tenantId, agentId, s.sessionId);
      s.offeredAgentId = undefined;
      return this.finish('abandoned');
    }
    if (reply?.accept && (await this.activities.acceptOffer(s.tenantId, agentId, s.sessionId))) {
      s.offeredAgentId = undefined;
      return this.becomeAssigned(agentId, 'joined');
    }
    // Rejected, missed or withdrawn: the router offers it to the next agent or requeues it.
    const missed = reply === undefined;
    s.offeredAgentId = undefined;
    this.awaitingAssignment = true;
    this.setPhase('queued');
    await this.activities.declineOffer(
      s.tenantId,
      agentId,
      s.sessionId,
      missed && this.f.timeouts.awayAfterMissedOffer,
    );
    await this.activities.project(s.tenantId, s.sessionId, { phase: 'queued' }, ['agentId']);
  }

  private async becomeAssigned(agentId: string, notice: 'joined' | 'transferred'): Promise<void> {
    const s = this.state;
    s.agentId = agentId;
    s.assignedAt = iso();
    s.firstResponseAt = undefined;
    s.slaBreached = false;
    s.idleWarnedAt = undefined;
    s.queuePosition = undefined;
    this.setPhase('assigned', { agentId });
    await this.activities.project(s.tenantId, s.sessionId, {
      phase: 'assigned',
      agentId,
      assignedAt: s.assignedAt,
      ...(s.groupId ? { groupId: s.groupId } : {}),
    });
    const template =
      notice === 'joined' ? this.f.templates.agentJoined : this.f.templates.transferred;
    await this.post(
      `${notice}-${this.posted}`,
      fillTemplate(template, { agent: agentId }),
      'system',
    );
  }

  /**
   * The human phase. Messages take the fast path; the workflow hears of turn
   * changes and keeps exact deadlines: the agent's first-response SLA, the
   * idle warning after the agent's reply, and the idle close after it. When a
   * deadline fires, the latest activity is read before acting.
   */
  private async assignedPhase(): Promise<void> {
    const s = this.state;
    const turns = this.turns;
    // Turns told while the assignment was being announced count at once.
    if (this.turnOrder) await this.noteTurns();
    const deadline = this.nextHumanDeadline();
    const woken = await waitUntil(
      () => this.wake() || this.turns !== turns || s.phase !== 'assigned',
      deadline,
    );
    if (s.phase !== 'assigned') return;
    if (this.closeRequest) return this.finish(this.closeReasonOf(this.closeRequest.by));
    if (woken) return this.noteTurns();
    const latest = await this.activities.lastActivity(s.tenantId, s.sessionId);
    const stored = [
      { by: 'visitor' as const, at: latest.visitorAt },
      { by: 'agent' as const, at: latest.agentAt },
    ].sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
    for (const turn of stored) if (turn.at !== null) this.onTurn({ by: turn.by }, turn.at);
    await this.noteTurns();
    const t = this.f.timeouts;
    const at = now();
    if (s.assignedAt && !s.firstResponseAt && !s.slaBreached) {
      if (at >= Date.parse(s.assignedAt) + t.firstResponseSlaMs) {
        s.slaBreached = true;
        await this.activities.recordSlaBreach(s.tenantId, s.sessionId, s.agentId ?? '', iso(at));
      }
    }
    if (!this.agentSpokeLast()) return;
    const idleCloseAt = s.idleWarnedAt ? Date.parse(s.idleWarnedAt) + t.idleCloseMs : undefined;
    if (idleCloseAt !== undefined && at >= idleCloseAt) {
      // Closed at the deadline, not after the activity read above.
      return this.finish('idle', iso(idleCloseAt));
    }
    if (!s.idleWarnedAt && at >= Date.parse(s.lastAgentAt ?? '') + t.idleWarnMs) {
      s.idleWarnedAt = iso(at);
      const minutes = Math.max(1, Math.round(t.idleCloseMs / 60_000));
      await this.post(
        `idle-warning-${this.posted}`,
        fillTemplate(this.f.templates.idleWarning, { minutes }),
        'system',
      );
    }
  }

  /** Applies what the latest turns mean: first response, and the idle warning reset. */
  private async noteTurns(): Promise<void> {
    const s = this.state;
    if (s.lastAgentAt && s.assignedAt && s.lastAgentAt >= s.assignedAt && !s.firstResponseAt) {
      s.firstResponseAt = s.lastAgentAt;
      await this.activities.project(s.tenantId, s.sessionId, {
        firstResponseAt: s.firstResponseAt,
      });
    }
    if (s.idleWarnedAt && s.lastVisitorAt && s.lastVisitorAt > s.idleWarnedAt) {
      s.idleWarnedAt = undefined;
    }
  }

  /**
   * Sessions started before turn order was kept compared timestamps, which
   * tie when two turns arrive in one workflow task; they replay that way.
   */
  private get turnOrder(): boolean {
    this.turnOrderPatch ??= patched('turn-order');
    return this.turnOrderPatch;
  }

  private agentSpokeLast(): boolean {
    const s = this.state;
    if (!s.lastAgentAt || !s.assignedAt || s.lastAgentAt < s.assignedAt) return false;
    if (!this.turnOrder) return !s.lastVisitorAt || s.lastAgentAt > s.lastVisitorAt;
    return s.lastSpeaker === 'agent';
  }

  private nextHumanDeadline(): number | undefined {
    const s = this.state;
    const t = this.f.timeouts;
    const deadlines: number[] = [];
    if (s.assignedAt && !s.firstResponseAt && !s.slaBreached) {
      deadlines.push(Date.parse(s.assignedAt) + t.firstResponseSlaMs);
    }
    if (this.agentSpokeLast()) {
      deadlines.push(
        s.idleWarnedAt
          ? Date.parse(s.idleWarnedAt) + t.idleCloseMs
          : Date.parse(s.lastAgentAt ?? '') + t.idleWarnMs,
      );
    }
    return deadlines.length ? Math.min(...deadlines) : undefined;
  }

  private async offerLeaveMessage(): Promise<void> {
    const s = this.state;
    await this.activities.project(s.tenantId, s.sessionId, { phase: 'leave_message' });
    await this.post('leave-message', this.f.templates.leaveMessage, 'system');
    s.lastActivityAt = iso();
    this.setPhase('leave_message');
  }

  private async leaveMessagePhase(): Promise<void> {
    const s = this.state;
    const deadline = Date.parse(s.lastActivityAt) + this.f.timeouts.leaveMessageWindowMs;
    const ready = () => this.wake() || this.pendingLeaveMessage !== undefined;
    if (!(await waitUntil(ready, deadline))) return this.finish('leave_message_timeout');
    if (this.closeRequest && !this.pendingLeaveMessage) {
      return this.finish(this.closeReasonOf(this.closeRequest.by));
    }
    const request = this.pendingLeaveMessage;
    if (!request) return;
    s.ticketId = await this.activities.openTicket(this.input, s.groupId, request);
    await this.post('leave-message-thanks', this.f.templates.leaveMessageThanks, 'system');
    return this.finish('left_message');
  }

  private closeReasonOf(actor: Actor): CloseReason {
    if (actor.type === 'visitor') return this.state.phase === 'queued' ? 'abandoned' : 'visitor';
    return actor.type === 'agent' ? 'agent' : 'ops';
  }

  /** Closes: frees the agent's seat first (the next shopper is assigned at once), then tells and records. */
  private async finish(reason: CloseReason, decidedAt?: string): Promise<void> {
    const s = this.state;
    // The moment of the decision (a deadline, a request), not after the clean-up calls.
    const closedAt = decidedAt ?? iso();
    if (s.phase === 'queued') await this.activities.cancelQueued(s.tenantId, s.sessionId);
    if (s.agentId) await this.activities.releaseSeat(s.tenantId, s.agentId, s.sessionId);
    const text = reason === 'idle' ? this.f.templates.idleClosed : this.f.templates.closed;
    if (reason !== 'left_message') await this.post('closed', text, 'system');
    s.closeReason = reason;
    s.closedAt = closedAt;
    this.setPhase('closed');
    await this.activities.recordSessionClosed(
      this.input,
      s.closedAt,
      reason,
      reason === 'abandoned',
    );
    this.awaitingAssignment = false;
    if (!(s.assignedAt && this.f.rating.enabled)) this.finished = true;
  }

  private async ratingPhase(): Promise<void> {
    const s = this.state;
    if (!s.assignedAt || !this.f.rating.enabled) {
      this.finished = true;
      return;
    }
    await this.post('rating-invite', this.f.templates.ratingInvite, 'system', 'rating');
    const rated = await waitUntil(
      () => this.pendingRating !== undefined || this.strays.length > 0,
      Date.parse(s.closedAt ?? iso()) + this.f.timeouts.ratingWindowMs,
    );
    if (!rated) {
      this.finished = true;
      return;
    }
    const request = this.pendingRating;
    if (!request) return;
    s.rating = { score: request.score, comment: request.comment, at: iso() };
    await this.activities.project(s.tenantId, s.sessionId, { phase: 'rated', rating: s.rating });
    await this.post('rating-thanks', this.f.templates.ratingThanks, 'system');
    this.setPhase('rated');
  }

  private async releaseStrays(): Promise<void> {
    for (let stray = this.strays.shift(); stray; stray = this.strays.shift()) {
      // Release frees a seat only if the agent holds this session, so this is safe to repeat.
      await this.activities.releaseSeat(this.state.tenantId, stray.agentId, stray.sessionId);
    }
  }

  private setPhase(phase: SessionPhase, extra: { agentId?: string } = {}): void {
    const s = this.state;
    s.phase = phase;
    upsertSearchAttributes([
      { key: searchAttributes.phase, value: phase },
      ...(s.groupId ? [{ key: searchAttributes.groupId, value: s.groupId }] : []),
      ...(extra.agentId ? [{ key: searchAttributes.agentId, value: extra.agentId }] : []),
    ]);
  }

  /** Posts a robot/system message with an id unique within the session and stable across retries. */
  private async post(
    purpose: string,
    text: string,
    sender: 'robot' | 'system' = 'robot',
    kind: 'text' | 'system' | 'rating' = sender === 'system' ? 'system' : 'text',
  ): Promise<void> {
    this.posted++;
    await this.activities.postWorkflowMessage({ ...this.ids, purpose, text, sender, kind });
  }
}
