import { ApplicationFailure, log } from '@temporalio/activity';
import { buildFaqIndex, matchFaq, wantsHuman } from '../domain/faq';
import { snapshotFlow, type FlowSnapshot } from '../domain/flow';
import { workflowMessageId, type MessageKind, type SenderType } from '../domain/message';
import type { SessionInput, SessionPhase } from '../domain/session';
import {
  visitorTextOf,
  type CloseReason,
  type LeaveMessageRequest,
  type VisitorText,
} from '../domain/session-commands';
import { isOpen } from '../domain/working-hours';
import { postMessage, type PostMessageDeps } from '../messaging/post-message';
import type { FaqStore } from '../stores/faqs';
import type { SessionLists } from '../messaging/session-lists';
import type { HoursStore } from '../stores/hours';
import type { EnqueueRequest } from '../routing/router';
import { RoutingInputError } from '../routing/router';
import type { RoutingService } from '../routing/service';
import type { SessionPatch, SessionStore } from '../stores/sessions';
import type { TenantStore } from '../stores/tenants';
import type { TicketStore } from '../stores/tickets';
import type { TagStore } from '../stores/tags';
import type { OutreachStore } from '../stores/outreach';
import { deliverPendingOutreach } from '../messaging/deliver-outreach';
import { autoTagsFor } from '../domain/tags';

export interface ActivityDeps extends PostMessageDeps {
  tenants: TenantStore;
  sessions: SessionStore;
  faqs: FaqStore;
  tickets: TicketStore;
  hours: HoursStore;
  routing: RoutingService;
  lists: SessionLists;
  tags: TagStore;
  outreach: OutreachStore;
}

export interface WorkflowMessage {
  tenantId: string;
  sessionId: string;
  /** Stable within the session (e.g. 'greeting', 'queued:3'), so a retried activity stores one message. */
  purpose: string;
  text: string;
  kind?: MessageKind;
  sender?: Extract<SenderType, 'robot' | 'system'>;
  suggestions?: string[];
}

/** The projection fields the workflow writes, with times as ISO strings (activity arguments are JSON). */
export interface ProjectionPatch {
  phase?: SessionPhase;
  groupId?: string;
  priority?: number;
  enqueuedAt?: number;
  agentId?: string;
  assignedAt?: string;
  firstResponseAt?: string;
  slaBreachedAt?: string;
  closedAt?: string;
  closeReason?: CloseReason;
  abandoned?: boolean;
  rating?: { score: number; comment?: string; at: string };
}

/** How far back the robot's idle check reads the transcript for texts it never heard. */
const recentMessagesRead = 20;

const toDate = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

function toSessionPatch(patch: ProjectionPatch): SessionPatch {
  const { rating, assignedAt, firstResponseAt, slaBreachedAt, closedAt, ...rest } = patch;
  const dates = { assignedAt, firstResponseAt, slaBreachedAt, closedAt };
  return {
    ...rest,
    ...Object.fromEntries(
      Object.entries(dates).flatMap(([field, value]) =>
        value === undefined ? [] : [[field, toDate(value)]],
      ),
    ),
    ...(rating ? { rating: { ...rating, at: new Date(rating.at) } } : {}),
  };
}

export type EnqueueOutcome =
  | { status: 'assigned'; agentId: string }
  | { status: 'queued'; position: number }
  | { status: 'full'; length: number }
  | { status: 'no_group' };

/**
 * Agents' lists are a view: a failed push must not fail (and retry) the
 * activity that changed the truth; the agent's next list read corrects it.
 * Nor does the activity wait for it: session activities run as local
 * activities, inside the workflow task, and a list push (coalesced, spaced
 * up to a second per session) would hold the session's next step.
 */
function tellAgent(push: () => Promise<void>): void {
  push().catch((error: unknown) => {
    log.warn('session list push failed', { error: String(error) });
  });
}

/**
 * Side effects of the session workflow. Built from their dependencies by the
 * worker (or a test); the workflow sees only their types.
 */
export const createActivities = (deps: ActivityDeps) => ({
  /** Reads the tenant's flow once; the session keeps this snapshot. */
  async loadFlowSnapshot(tenantId: string): Promise<FlowSnapshot> {
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) {
      throw ApplicationFailure.create({
        type: 'TenantNotFound',
        message: `tenant ${tenantId} does not exist`,
        nonRetryable: true,
      });
    }
    return { ...snapshotFlow(tenant.flow), flowVersion: tenant.flowVersion };
  },

  /**
   * `flowVersion` is the snapshot's, so the projection names the version the
   * session runs with. Auto tags are decided here, not in the start-session
   * request: the shopper's open never waits for (or fails on) reading the
   * tenant's rules, a failed read is retried by Temporal, and the tags land
   * in the same insert as the projection, so no session is ever seen untagged.
   * Pending proactive outreach is delivered here too, so the agent's message
   * opens the conversation ahead of the robot's greeting, with no new
   * workflow step (running histories replay unchanged).
   */
  async recordSessionOpened(
    input: SessionInput,
    startedAt: string,
    flowVersion?: number,
  ): Promise<void> {
    const tags = autoTagsFor(await deps.tags.autoTags(input.tenantId), input);
    await deps.sessions.recordOpened(input, new Date(startedAt), flowVersion, tags);
    await deliverPendingOutreach(deps, input);
    deps.broadcaster.statsChanged(input.tenantId, 'session');
  },

  /** A robot or system message, stored once per purpose and delivered; returns its seq. */
  async postWorkflowMessage(message: WorkflowMessage): Promise<number> {
    const { message: stored } = await postMessage(deps, {
      tenantId: message.tenantId,
      sessionId: message.sessionId,
      messageId: workflowMessageId(message.purpose),
      kind: message.kind ?? 'text',
      sender: { type: message.sender ?? 'robot' },
      text: message.text,
      ...(message.suggestions?.length ? { suggestions: message.suggestions } : {}),
    });
    tellAgent(() => deps.lists.pushUpdated(message.tenantId, message.sessionId));
    return stored.seq;
  },

  /**
   * The robot's turn: a hand-over request, an FAQ answer, or a miss (with
   * "you may want to ask" suggestions). Answers are posted here, keyed by the
   * shopper's message id, so a retry never answers twice.
   */
  async robotReply(request: {
    tenantId: string;
    sessionId: string;
    messageId: string;
    text: string;
    flow: Pick<FlowSnapshot, 'robot' | 'templates'>;
  }): Promise<'handover' | 'answered' | 'missed'> {
    const { robot, templates } = request.flow;
    if (wantsHuman(request.text, robot.handoverKeywords)) return 'handover';
    const index = buildFaqIndex(await deps.faqs.list(request.tenantId));
    const match = matchFaq(index, request.text, { threshold: robot.answerThreshold });
    const suggestions = match.suggestions.map((s) => s.question);
    const reply = match.answer
      ? { text: match.answer.answer, suggestions }
      : {
          text: suggestions.length
            ? `${templates.noAnswer}\n${templates.suggestions}`
            : templates.noAnswer,
          suggestions,
        };
    await postMessage(deps, {
      tenantId: request.tenantId,
      sessionId: request.sessionId,
      messageId: workflowMessageId(`robot:${request.messageId}`),
      kind: 'text',
      sender: { type: 'robot' },
      text: reply.text,
      ...(reply.suggestions.length ? { suggestions: reply.suggestions } : {}),
    });
    return match.answer ? 'answered' : 'missed';
  },

  /** Whether the group (or the tenant's default schedule) is within working hours now. */
  async withinWorkingHours(tenantId: string, groupId: string): Promise<boolean> {
    const schedule = await deps.hours.forGroup(tenantId, groupId, 'reception');
    return schedule === undefined || isOpen(schedule, new Date());
  },

  /** The shopper's agent of a session closed within `windowMs`, for sticky routing. */
  async previousAgent(tenantId: string, visitorId: string, windowMs: number) {
    if (windowMs <= 0) return undefined;
    return deps.sessions.previousAgent(tenantId, visitorId, new Date(Date.now() - windowMs));
  },

  /**
   * Puts the session in the group's queue (or straight to an agent). The
   * projection is written first, so a Redis loss right after is healed from
   * it. A queue already `maxLength` long refuses the session ('full'): the
   * enqueue script checks the length as it places the session, so concurrent
   * arrivals cannot overfill it; the projection then goes back to what it was.
   */
  async enqueue(
    request: EnqueueRequest & { tenantId: string; maxLength: number },
  ): Promise<EnqueueOutcome> {
    const { tenantId, maxLength, ...entry } = request;
    if (!(await deps.routing.groupExists(tenantId, entry.groupId))) {
      log.warn('session routed to a group that does not exist', {
        tenantId,
        groupId: entry.groupId,
      });
      return { status: 'no_group' };
    }
    const before = await deps.sessions.get(tenantId, entry.sessionId);
    await deps.sessions.project(tenantId, entry.sessionId, {
      phase: 'queued',
      groupId: entry.groupId,
      priority: entry.priority,
      enqueuedAt: entry.enqueuedAt,
    });
    const outcome = await deps.routing.enqueue(tenantId, entry, maxLength);
    if (outcome.status === 'full') {
      // Nothing was queued: the projection says what it said before, so no heal queues it.
      if (before) {
        const { phase, groupId, priority, enqueuedAt } = before;
        const kept = { phase, groupId, priority, enqueuedAt };
        await deps.sessions.project(
          tenantId,
          entry.sessionId,
          Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== undefined)),
          (['groupId', 'priority', 'enqueuedAt'] as const).filter((f) => kept[f] === undefined),
        );
      }
      return outcome;
    }
    // A queued session moves the monitor's queue figures; an assignment tells it via the projection.
    deps.broadcaster.statsChanged(tenantId, 'session');
    return outcome;
  },

  async queueStatus(tenantId: string, sessionId: string) {
    return (await deps.routing.queuePosition(tenantId, sessionId)) ?? null;
  },

  /** Takes the session out of its queue; false when it was no longer waiting (already decided). */
  async cancelQueued(tenantId: string, sessionId: string): Promise<boolean> {
    return deps.routing.cancel(tenantId, sessionId);
  },

  async overflowGroupOf(tenantId: string, groupId: string): Promise<string | null> {
    return (await deps.routing.groupSettings(tenantId, groupId)).overflowGroupId ?? null;
  },

  async acceptOffer(tenantId: string, agentId: string, sessionId: string): Promise<boolean> {
    return deps.routing.accept(tenantId, agentId, sessionId);
  },

  async declineOffer(tenantId: string, agentId: string, sessionId: string, awayAfterMiss: boolean) {
    try {
      await deps.routing.decline(tenantId, agentId, sessionId, awayAfterMiss);
    } catch (error) {
      // Already withdrawn (e.g. redelivered after a retry): nothing to give back.
      if (!(error instanceof RoutingInputError)) throw error;
    }
  },

  /** Frees the agent's seat (close, or a stray decision) and assigns whoever waits for it. */
  async releaseSeat(tenantId: string, agentId: string, sessionId: string): Promise<void> {
    await deps.routing.release(tenantId, agentId, sessionId);
  },

  /**
   * Moves the seat atomically. A target agent who is not online with room is
   * a business refusal (non-retryable), and nothing changes.
   */
  async transferSeat(
    tenantId: string,
    request: Parameters<RoutingService['transfer']>[1],
  ): Promise<{ status: 'assigned'; agentId: string } | { status: 'queued'; position: number }> {
    try {
      return await deps.routing.transfer(tenantId, request);
    } catch (error) {
      if (error instanceof RoutingInputError) {
        throw ApplicationFailure.create({
          type: 'TargetUnavailable',
          message: error.message,
          nonRetryable: true,
        });
      }
      throw error;
    }
  },

  async project(
    tenantId: string,
    sessionId: string,
    patch: ProjectionPatch,
    unset: (keyof ProjectionPatch)[] = [],
  ): Promise<void> {
    const handsOver = patch.phase !== undefined || patch.agentId !== undefined;
    const before = handsOver ? await deps.sessions.get(tenantId, sessionId) : null;
    await deps.sessions.project(tenantId, sessionId, toSessionPatch(patch), unset);
    if (handsOver) {
      tellAgent(() => deps.lists.sessionChanged(tenantId, sessionId, before?.agentId));
    }
  },

  async recordTransfer(
    tenantId: string,
    sessionId: string,
    transfer: { at: string; fromAgentId: string; toAgentId?: string; toGroupId?: string },
  ): Promise<void> {
    await deps.sessions.appendTransfer(tenantId, sessionId, {
      ...transfer,
      at: new Date(transfer.at),
    });
  },

  /**
   * The shopper's latest texts (at most `count`, oldest first), read from the
   * stored transcript: what the robot would have heard had every signal
   * arrived. A gateway that dies after acking a message never tells the
   * workflow, and the shopper, acked, never resends.
   */
  async recentVisitorTexts(
    tenantId: string,
    sessionId: string,
    count: number,
  ): Promise<VisitorText[]> {
    const { messages } = await deps.messages.listBefore(
      tenantId,
      sessionId,
      Number.MAX_SAFE_INTEGER,
      recentMessagesRead,
    );
    return messages
      .filter((m) => m.sender.type === 'visitor' && m.kind === 'text')
      .slice(-count)
      .flatMap((m) => visitorTextOf(m) ?? []);
  },

  /** The latest shopper and agent activity, as the session's last message records it (epoch ms). */
  lastActivity(tenantId: string, sessionId: string) {
    return deps.messages.lastActivity(tenantId, sessionId);
  },

  /** An event for supervisors: the agent has not answered within the flow's SLA. */
  async recordSlaBreach(tenantId: string, sessionId: string, agentId: string, at: string) {
    log.warn('first-response SLA breached', {
      event: 'sla_breached',
      tenantId,
      sessionId,
      agentId,
    });
    await deps.sessions.project(tenantId, sessionId, { slaBreachedAt: new Date(at) });
    deps.broadcaster.slaBreached(tenantId, { sessionId, agentId, at });
  },

  async openTicket(
    input: SessionInput,
    groupId: string | undefined,
    request: LeaveMessageRequest,
  ): Promise<string> {
    return deps.tickets.open(input.tenantId, input.sessionId, input.visitor.id, groupId, request);
  },

  /** Writes the closed projection, then frees the visitor to open a new session. */
  async recordSessionClosed(
    input: Pick<SessionInput, 'tenantId' | 'sessionId'> & { visitor: { id: string } },
    closedAt: string,
    reason: CloseReason,
    abandoned = false,
  ): Promise<void> {
    const before = await deps.sessions.get(input.tenantId, input.sessionId);
    // An offer nobody accepted gave the session no agent: the offered agent
    // neither handled it nor reads it once it has ended.
    const unaccepted = before?.phase === 'reserved';
    await deps.sessions.project(
      input.tenantId,
      input.sessionId,
      {
        phase: 'closed',
        closedAt: new Date(closedAt),
        closeReason: reason,
        ...(abandoned ? { abandoned } : {}),
      },
      unaccepted ? ['agentId'] : [],
    );
    await deps.sessions.releaseOpen(input.tenantId, input.visitor.id, input.sessionId);
    tellAgent(() => deps.lists.sessionChanged(input.tenantId, input.sessionId, before?.agentId));
  },
});

export type SessionActivities = ReturnType<typeof createActivities>;
