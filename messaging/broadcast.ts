import type { ChatMessage } from '../domain/message';
import type { SessionNote } from '../domain/notes';
import { agentRoom, namespaces, sessionRoom, staffRoom, supervisorRoom } from '../domain/rooms';
import type {
  AgentServerToClientEvents,
  AgentStatusNotice,
  ReadReceipt,
  SessionSummary,
  SilentAgentAlert,
  SlaAlert,
  StatsHint,
  VisitorServerToClientEvents,
} from '../domain/socket-events';

/**
 * What both the gateway's socket.io server (with the Redis adapter) and the
 * worker's Redis emitter can do: emit to a room of a namespace, and move the
 * sockets of one room into or out of another — on every gateway node.
 */
export interface Hub {
  of(namespace: string): {
    to(room: string): { emit(event: string, ...args: unknown[]): unknown };
    in(room: string): { socketsJoin(room: string): void; socketsLeave(room: string): void };
  };
}

/** A gateway's socket.io server, emitting to its own sockets only. */
export interface LocalHub {
  of(namespace: string): {
    local: { to(room: string): { emit(event: string, ...args: unknown[]): unknown } };
  };
}

/** Delivers a message to the session's sockets connected to this gateway node. */
export function localMessageDelivery(io: LocalHub): (message: ChatMessage) => void {
  // The event both sides know, with the payload both declare.
  const event = 'message:new' satisfies keyof VisitorServerToClientEvents &
    keyof AgentServerToClientEvents;
  return (message: Parameters<VisitorServerToClientEvents[typeof event]>[0]) => {
    const room = sessionRoom(message.tenantId, message.sessionId);
    io.of(namespaces.visitor).local.to(room).emit(event, message);
    io.of(namespaces.agent).local.to(room).emit(event, message);
  };
}

type Emit<E> = <K extends keyof E & string>(
  room: string,
  event: K,
  ...args: E[K] extends (...a: infer A) => void ? A : never
) => void;

/**
 * Sends already-stored facts to clients. Delivery is best effort; the stored
 * seq and the clients' resync are the guarantee (DESIGN.md §6).
 */
export interface Broadcaster {
  messageToSession(message: ChatMessage): void;
  readReceipt(tenantId: string, receipt: ReadReceipt): void;
  sessionUpdated(tenantId: string, agentId: string, session: SessionSummary): void;
  /**
   * The session changed hands: the old agent's sockets stop receiving its
   * messages, the new agent's start, wherever they are connected.
   */
  moveSession(tenantId: string, sessionId: string, from?: string, to?: string): void;
  /**
   * A staff-only note: to the session's room in the agent namespace alone
   * (the shopper's sockets, in the visitor namespace, never hear it).
   */
  noteToSession(tenantId: string, note: SessionNote): void;
  /** Tells the tenant's supervisors, wherever they are connected. */
  slaBreached(tenantId: string, alert: SlaAlert): void;
  /** Tells the tenant's supervisors that an agent left a shopper unanswered. */
  agentSilent(tenantId: string, alert: SilentAgentAlert): void;
  /** Tells the tenant's supervisors that the live figures changed (their monitor re-reads them). */
  statsChanged(tenantId: string, reason: StatsHint['reason']): void;
  /** Tells every socket of the account (all tabs, every node) its status now. */
  agentStatus(tenantId: string, agentId: string, notice: AgentStatusNotice): void;
}

/**
 * Everything but messages goes through `hub`; messages, the bulk of the
 * traffic, through `sendMessage` (see message-fanout.ts).
 */
export function hubBroadcaster(hub: Hub, sendMessage: (message: ChatMessage) => void): Broadcaster {
  const toVisitors: Emit<VisitorServerToClientEvents> = (room, event, ...args) => {
    hub
      .of(namespaces.visitor)
      .to(room)
      .emit(event, ...args);
  };
  const toAgents: Emit<AgentServerToClientEvents> = (room, event, ...args) => {
    hub
      .of(namespaces.agent)
      .to(room)
      .emit(event, ...args);
  };
  return {
    messageToSession: sendMessage,
    readReceipt(tenantId, receipt) {
      const room = sessionRoom(tenantId, receipt.sessionId);
      toVisitors(room, 'message:read', receipt);
      toAgents(room, 'message:read', receipt);
    },
    sessionUpdated(tenantId, agentId, session) {
      toAgents(agentRoom(tenantId, agentId), 'session:updated', session);
    },
    moveSession(tenantId, sessionId, from, to) {
      const room = sessionRoom(tenantId, sessionId);
      const agents = hub.of(namespaces.agent);
      if (from && from !== to) {
        agents.in(agentRoom(tenantId, from)).socketsLeave(room);
        toAgents(agentRoom(tenantId, from), 'session:removed', { sessionId });
      }
      if (to) agents.in(agentRoom(tenantId, to)).socketsJoin(room);
    },
    noteToSession(tenantId, note) {
      toAgents(sessionRoom(tenantId, note.sessionId), 'note:new', note);
    },
    slaBreached(tenantId, alert) {
      toAgents(supervisorRoom(tenantId), 'alert:sla', alert);
    },
    agentSilent(tenantId, alert) {
      toAgents(supervisorRoom(tenantId), 'alert:silent', alert);
    },
    statsChanged(tenantId, reason) {
      toAgents(supervisorRoom(tenantId), 'stats:changed', { reason });
    },
    agentStatus(tenantId, agentId, notice) {
      toAgents(staffRoom(tenantId, agentId), 'agent:status', notice);
    },
  };
}
