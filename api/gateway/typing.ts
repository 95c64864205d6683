import type { Namespace } from 'socket.io';
import { namespaces, sessionRoom } from '../../domain/rooms';
import { writeRefusal, type Viewer } from '../../domain/session-access';
import type { TypingNotice } from '../../domain/socket-events';
import { agentTypingSchema, typingRelayMs, visitorTypingSchema } from '../../domain/typing';
import type { ChatDeps } from '../../messaging/chat-deps';
import { Refusal } from '../../messaging/refusal';
import { sessionFacts } from '../../messaging/session-access';
import { handle } from './acks';

/**
 * Per socket and session, whether a notice should go on: a change of state
 * always does, a repeated `true` at most every `typingRelayMs`, so a client
 * that sends on every key press costs the other side nothing. Kept on the
 * socket's own connection (it dies with it): nothing another node needs.
 */
export function typingThrottle(now: () => number = Date.now) {
  const last = new Map<string, { typing: boolean; at: number }>();
  return (sessionId: string, typing: boolean): boolean => {
    const before = last.get(sessionId);
    const at = now();
    if (before && before.typing === typing && (!typing || at - before.at < typingRelayMs)) {
      return false;
    }
    last.set(sessionId, { typing, at });
    return true;
  };
}

/** Emits to one namespace's session room, on every gateway node (through the adapter). */
function relay(namespace: Namespace, tenantId: string, notice: TypingNotice): void {
  namespace.to(sessionRoom(tenantId, notice.sessionId)).emit('typing', notice);
}

/**
 * `typing` from the shopper: to the session's room in the agent namespace
 * (its agent, a supervisor watching), never to another visitor's socket:
 * the shopper's token names the one session it speaks for.
 */
export function visitorTyping(
  namespace: Namespace,
  log: ChatDeps['log'],
  data: { tenantId: string; sessionId: string },
) {
  const allow = typingThrottle();
  return handle<typeof visitorTypingSchema, null>(
    visitorTypingSchema,
    log,
    'tell typing',
    ({ typing }, reply) => {
      if (allow(data.sessionId, typing)) {
        relay(namespace.server.of(namespaces.agent), data.tenantId, {
          sessionId: data.sessionId,
          by: 'visitor',
          typing,
        });
      }
      reply({ ok: true, data: null });
      return Promise.resolve();
    },
  );
}

/**
 * `typing` from an agent: only the agent the session is assigned to (the one
 * who may write in it) reaches its shopper; a supervisor watching types
 * nothing the shopper should see.
 */
export function agentTyping(
  namespace: Namespace,
  chat: Pick<ChatDeps, 'sessions' | 'log'>,
  data: { tenantId: string; viewer: Extract<Viewer, { type: 'agent' }> },
) {
  const allow = typingThrottle();
  return handle<typeof agentTypingSchema, null>(
    agentTypingSchema,
    chat.log,
    'tell typing',
    async ({ sessionId, typing }, reply) => {
      const facts = await sessionFacts(chat.sessions, data.tenantId, data.viewer, sessionId);
      if (writeRefusal(data.viewer, facts)) {
        throw new Refusal('forbidden', `session ${sessionId} is not assigned to you`);
      }
      if (allow(sessionId, typing)) {
        relay(namespace.server.of(namespaces.visitor), data.tenantId, {
          sessionId,
          by: 'agent',
          typing,
        });
      }
      reply({ ok: true, data: null });
    },
  );
}
