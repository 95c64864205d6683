import type { ChatMessage } from './message';
import type { AgentSend, VisitorSend } from './message-send';
import type { SessionNote } from './notes';
import type { AgentStatus } from './agents';
import type { StatusReason } from './presence';
import type { Channel, Entry, SessionPhase } from './session';

// What a socket client receives, in one module: the browser pages' JSDoc
// imports these types from here (tsconfig.console.json checks them).
export type { Attachment, Card, ChatMessage, Sender } from './message';
export type { AgentSend, VisitorSend } from './message-send';
export type { Entry } from './session';
export type { SessionNote } from './notes';

/**
 * Typed socket.io events, shared by the gateway, the worker's emitter and
 * browser code. Names are `domain:verb`; acks are a tagged result. The
 * reference for client authors is docs/socket-events.md.
 */

export type Ack<T> =
  { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export interface MessageSyncRequest {
  /** The last seq the client has seen; 0 for none. */
  afterSeq: number;
  limit?: number;
}

export interface MessagePage {
  messages: ChatMessage[];
  /** True when more messages follow the last one returned. */
  hasMore: boolean;
}

/** Who has read a session up to which seq. */
export interface ReadReceipt {
  sessionId: string;
  reader: { type: 'visitor' } | { type: 'agent'; id: string };
  seq: number;
}

/** One line of an agent's session list. */
export interface SessionSummary {
  sessionId: string;
  visitorId: string;
  channel: Channel;
  entry: Entry;
  phase: SessionPhase;
  agentId?: string;
  assignedAt?: string;
  /** What the agent who transferred the session wrote for the next one (staff only), if anything. */
  transferNote?: { fromAgentId: string; note: string };
  /** The latest message (any sender), if any. */
  lastMessage?: Pick<ChatMessage, 'seq' | 'kind' | 'sender' | 'text' | 'createdAt'>;
  /** Shopper messages after the seq this agent has read. */
  unread: number;
  /** The highest seq the shopper has read. */
  visitorReadSeq: number;
}

/**
 * Someone on the other side of a session is typing (`typing: true`, repeated
 * at most every few seconds while it lasts) or stopped. Never stored.
 */
export interface TypingNotice {
  sessionId: string;
  by: 'visitor' | 'agent';
  typing: boolean;
}

export interface VisitorServerToClientEvents {
  'message:new': (message: ChatMessage) => void;
  /** The agent has read up to a seq. */
  'message:read': (receipt: ReadReceipt) => void;
  /** The session's agent is typing (or stopped). */
  typing: (notice: TypingNotice) => void;
}

export interface VisitorClientToServerEvents {
  /** Sends a message; the ack carries the stored message (with its seq), the original one on a resend. */
  'message:send': (message: VisitorSend, ack: (result: Ack<ChatMessage>) => void) => void;
  'message:sync': (request: MessageSyncRequest, ack: (result: Ack<MessagePage>) => void) => void;
  /** The shopper has seen everything up to `seq`. */
  'message:read': (request: { seq: number }, ack: (result: Ack<ReadReceipt>) => void) => void;
  /** The shopper is typing (or stopped): relayed to the session's agent side, never stored. */
  typing: (request: { typing: boolean }, ack: (result: Ack<null>) => void) => void;
}

export interface AgentServerToClientEvents {
  'message:new': (message: ChatMessage) => void;
  /** The shopper (or another reader) has read up to a seq. */
  'message:read': (receipt: ReadReceipt) => void;
  /** A staff-only note was written in a session whose room the socket is in. */
  'note:new': (note: SessionNote) => void;
  /** The shopper of a session whose room the socket is in is typing (or stopped). */
  typing: (notice: TypingNotice) => void;
  /** The agent's whole list, once after connecting; after that, lines come one by one. */
  'session:list': (sessions: SessionSummary[]) => void;
  /** One line is new or changed (assigned, offered, transferred in, a message, a read). */
  'session:updated': (session: SessionSummary) => void;
  /** The session is no longer this agent's (transferred away or closed). */
  'session:removed': (ref: { sessionId: string }) => void;
  /** Supervisors only: an agent has not answered a shopper within the flow's first-response SLA. */
  'alert:sla': (alert: SlaAlert) => void;
  /** Supervisors only: an agent left a shopper unanswered for the flow's `silentAgent` minutes. */
  'alert:silent': (alert: SilentAgentAlert) => void;
  /**
   * Supervisors only: something the live figures show changed (a session
   * opened, queued, was assigned, moved or closed; an agent's presence or
   * capacity changed). A hint to re-read `GET /api/v1/stats/live`, no data.
   */
  'stats:changed': (hint: StatsHint) => void;
  /**
   * This account's own status changed (by the engine following its
   * connections, or by an admin or supervisor): every socket of the
   * account, every tab on every node, so each console's status select shows it.
   */
  'agent:status': (notice: AgentStatusNotice) => void;
  /**
   * The account was deactivated or deleted, all its tokens were revoked, or
   * this socket's token was logged out: the server disconnects the socket
   * right after (reason `io server disconnect`); its token no longer works.
   */
  'access:revoked': (notice: AccessRevoked) => void;
}

/** Why an agent socket's access ended (`access:revoked`). */
export interface AccessRevoked {
  reason: 'deactivated' | 'deleted' | 'tokens_revoked' | 'logged_out';
}

/** An agent's status as the engine now holds it; `reason` when the engine chose it. */
export interface AgentStatusNotice {
  status: AgentStatus;
  reason?: StatusReason;
}

export interface StatsHint {
  reason: 'session' | 'presence';
}

export interface SlaAlert {
  sessionId: string;
  agentId: string;
  /** ISO time of the breach (the SLA deadline). */
  at: string;
}

export interface SilentAgentAlert {
  sessionId: string;
  agentId: string;
  /** ISO time the silence was noticed (its deadline). */
  at: string;
  /** What the flow did: gave the session back to its group, or only alerted. */
  action: 'reoffer' | 'alert';
}

export interface AgentClientToServerEvents {
  'message:send': (message: AgentSend, ack: (result: Ack<ChatMessage>) => void) => void;
  'message:sync': (
    request: MessageSyncRequest & { sessionId: string },
    ack: (result: Ack<MessagePage>) => void,
  ) => void;
  'message:read': (
    request: { sessionId: string; seq: number },
    ack: (result: Ack<ReadReceipt>) => void,
  ) => void;
  /** Joins a session's live messages: the session's agent, or any supervisor of the tenant (read-only). */
  'session:join': (
    request: { sessionId: string },
    ack: (result: Ack<SessionSummary>) => void,
  ) => void;
  'session:leave': (request: { sessionId: string }, ack: (result: Ack<null>) => void) => void;
  /** The session's agent is typing (or stopped): relayed to its shopper, never stored. */
  typing: (
    request: { sessionId: string; typing: boolean },
    ack: (result: Ack<null>) => void,
  ) => void;
  /** The agent's open sessions now (a supervisor: the tenant's open sessions). */
  'session:list': (
    request: Record<string, never>,
    ack: (result: Ack<SessionSummary[]>) => void,
  ) => void;
}
