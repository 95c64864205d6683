/**
 * What both sides of the wire share: the workflow's name, its signals,
 * updates and queries, and search-attribute keys. The API, the activities and
 * the scripts import this module; they never import workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Assignment } from '../domain/agents';
import type {
  ChatTurn,
  CloseReason,
  CloseRequest,
  LeaveMessageRequest,
  OfferReply,
  RateRequest,
  TransferRequest,
  VisitorText,
} from '../domain/session-commands';
import type { SessionInput, SessionPhase } from '../domain/session';
import type { LeaveMessageField } from '../domain/leave-message-form';

export type { CloseReason } from '../domain/session-commands';

export const sessionWorkflowType = 'sessionWorkflow';

export const searchAttributes = {
  tenantId: defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('SessionPhase', SearchAttributeType.KEYWORD),
  agentId: defineSearchAttributeKey('AgentId', SearchAttributeType.KEYWORD),
  groupId: defineSearchAttributeKey('GroupId', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD),
  visitorId: defineSearchAttributeKey('VisitorId', SearchAttributeType.KEYWORD),
} as const;

/** Names to register on a Temporal server (all Keyword). */
export const searchAttributeNames = Object.values(searchAttributes).map((key) => key.name);

export interface TransferRecord {
  at: string;
  fromAgentId: string;
  toAgentId?: string;
  toGroupId?: string;
  by: string;
}

export interface SessionState {
  tenantId: string;
  sessionId: string;
  visitorId: string;
  channel: SessionInput['channel'];
  entry: SessionInput['entry'];
  phase: SessionPhase;
  startedAt: string;
  /** Workflow time of the last activity in the current phase; idle timers count from here. */
  lastActivityAt: string;
  /** Consecutive robot misses. */
  robotMisses: number;
  groupId?: string;
  priority?: number;
  /** Epoch ms of the first enqueue; kept across re-asserts and overflow so order survives. */
  enqueuedAt?: number;
  overflowed?: boolean;
  queuePosition?: number;
  estimatedWaitMs?: number;
  agentId?: string;
  /** Agent of a pending offer (reservation groups). */
  offeredAgentId?: string;
  /** While reserved: when the offer goes to the next agent unless accepted (the flow's reservation window). */
  offerExpiresAt?: string;
  assignedAt?: string;
  firstResponseAt?: string;
  slaBreached?: boolean;
  lastVisitorAt?: string;
  lastAgentAt?: string;
  /** Who took the latest turn (ties in time are broken by arrival order). */
  lastSpeaker?: 'visitor' | 'agent';
  idleWarnedAt?: string;
  /** When the agent's silence was acted on (flow `silentAgent`); cleared by the agent's next turn. */
  agentSilentAt?: string;
  transfers: TransferRecord[];
  closedAt?: string;
  closeReason?: CloseReason;
  ticketId?: string;
  rating?: { score: number; comment?: string; at: string };
  /** When the agent invited the rating mid-chat (rating-invite.ts); the close posts no second card. */
  ratingInvitedAt?: string;
  /** In answers to the state query while in `leave_message`: the session's leave-message form. */
  leaveMessageForm?: LeaveMessageField[];
}

/** Told by the router's delivery (possibly more than once: duplicates are ignored). */
export const assignedSignal = defineSignal<[Assignment]>('assigned');
/** A shopper message the robot must answer (robot phase). */
export const visitorTextSignal = defineSignal<[VisitorText]>('visitorText');
/** A change of speaker in the human phase. */
export const chatTurnSignal = defineSignal<[ChatTurn]>('chatTurn');

/** Updates, not signals: the caller needs an answer or a clear refusal. */
export const requestHumanUpdate = defineUpdate<SessionState, []>('requestHuman');
export const acceptOfferUpdate = defineUpdate<SessionState, [OfferReply]>('acceptOffer');
export const declineOfferUpdate = defineUpdate<SessionState, [OfferReply]>('declineOffer');
export const transferUpdate = defineUpdate<SessionState, [TransferRequest]>('transfer');
export const closeUpdate = defineUpdate<SessionState, [CloseRequest]>('close');
export const rateUpdate = defineUpdate<SessionState, [RateRequest]>('rate');
/** The session's agent posts the rating card mid-chat (once). */
export const inviteRatingUpdate = defineUpdate<SessionState, [OfferReply]>('inviteRating');
export const leaveMessageUpdate = defineUpdate<SessionState, [LeaveMessageRequest]>('leaveMessage');

export const stateQuery = defineQuery<SessionState>('state');

/** Failure types the workflow's updates refuse with; the API maps them to HTTP answers. */
export const refusalTypes = {
  invalid: 'InvalidRequest',
  wrongPhase: 'WrongPhase',
  forbidden: 'Forbidden',
  unavailable: 'TargetUnavailable',
} as const;
