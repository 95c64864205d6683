import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import type { ChatMessage } from '../../domain/message';
import {
  agentReadRequestSchema,
  agentSendSchema,
  agentSyncRequestSchema,
  sessionRefSchema,
} from '../../domain/message-send';
import { agentRoom, sessionRoom, supervisorRoom } from '../../domain/rooms';
import type { Viewer } from '../../domain/session-access';
import type {
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  MessagePage,
  ReadReceipt,
  SessionSummary,
} from '../../domain/socket-events';
import type { ChatDeps } from '../../messaging/chat-deps';
import { markRead, readMessages } from '../../messaging/read-messages';
import { Refusal } from '../../messaging/refusal';
import { sendMessage } from '../../messaging/send-message';
import { followableSession } from '../../messaging/session-access';
import { verifyAgentToken, type AgentClaims } from '../../runtime/tokens';
import { handle, handshakeToken } from './acks';

type AgentSocket = Socket<
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  object,
  AgentClaims
>;
export type AgentNamespace = Namespace<
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  object,
  AgentClaims
>;

export interface AgentGatewayDeps {
  tokenSecret: string;
  chat: ChatDeps;
}

const viewer = ({ data }: AgentSocket): Extract<Viewer, { type: 'agent' }> => ({
  type: 'agent',
  agentId: data.agentId,
  role: data.role,
});

const send = ({ chat }: AgentGatewayDeps, socket: AgentSocket) =>
  handle<typeof agentSendSchema, ChatMessage>(
    agentSendSchema,
    chat.log,
    'send the message',
    async ({ sessionId, ...body }, reply) => {
      const sent = await sendMessage(chat, socket.data.tenantId, viewer(socket), sessionId, body);
      reply({ ok: true, data: sent.message });
      await sent.followUp;
    },
  );

const sync = ({ chat }: AgentGatewayDeps, socket: AgentSocket) =>
  handle<typeof agentSyncRequestSchema, MessagePage>(
    agentSyncRequestSchema,
    chat.log,
    'read messages',
    async ({ sessionId, afterSeq, limit }, reply) => {
      const { tenantId } = socket.data;
      const page = await readMessages(chat, tenantId, viewer(socket), sessionId, afterSeq, limit);
      reply({ ok: true, data: page });
    },
  );

const read = ({ chat }: AgentGatewayDeps, socket: AgentSocket) =>
  handle<typeof agentReadRequestSchema, ReadReceipt>(
    agentReadRequestSchema,
    chat.log,
    'mark messages read',
    async ({ sessionId, seq }, reply) => {
      const receipt = await markRead(chat, socket.data.tenantId, viewer(socket), sessionId, seq);
      reply({ ok: true, data: receipt });
    },
  );

/** Joins the session's room after the same check as reading; answers with its list line. */
const join = ({ chat }: AgentGatewayDeps, socket: AgentSocket) =>
  handle<typeof sessionRefSchema, SessionSummary>(
    sessionRefSchema,
    chat.log,
    'join the session',
    async ({ sessionId }, reply) => {
      const { tenantId, agentId, role } = socket.data;
      await followableSession(chat.sessions, tenantId, viewer(socket), sessionId);
      const doc = await chat.sessions.get(tenantId, sessionId);
      if (!doc) throw new Refusal('not_found', `no session ${sessionId}`);
      await socket.join(sessionRoom(tenantId, sessionId));
      reply({
        ok: true,
        data: await chat.lists.summarize(doc, role === 'agent' ? agentId : undefined),
      });
    },
  );

const leave = ({ chat }: AgentGatewayDeps, socket: AgentSocket) =>
  handle<typeof sessionRefSchema, null>(
    sessionRefSchema,
    chat.log,
    'leave the session',
    async ({ sessionId }, reply) => {
      await socket.leave(sessionRoom(socket.data.tenantId, sessionId));
      reply({ ok: true, data: null });
    },
  );

const list = ({ chat }: AgentGatewayDeps, socket: AgentSocket) =>
  handle<typeof listRequestSchema, SessionSummary[]>(
    listRequestSchema,
    chat.log,
    'list sessions',
    async (_request, reply) => {
      const { tenantId, agentId, role } = socket.data;
      const sessions =
        role === 'supervisor'
          ? await chat.lists.listForSupervisor(tenantId)
          : await chat.lists.listFor(tenantId, agentId);
      reply({ ok: true, data: sessions });
    },
  );

const listRequestSchema = z.strictObject({});

/**
 * The agent namespace, for agents and supervisors of one tenant (the token
 * says which). An agent's sockets sit in its agent room, where list pushes
 * go, and in the rooms of the sessions it holds (joined on connect, and
 * moved by the worker when a session is assigned or transferred);
 * supervisors join any session of their tenant to watch it, read-only.
 */
export function wireAgentNamespace(namespace: AgentNamespace, deps: AgentGatewayDeps): void {
  namespace.use((socket, next) => {
    const claims = verifyAgentToken(deps.tokenSecret, handshakeToken(socket.handshake.auth));
    if (!claims) return next(new Error('unauthorized: a valid agent token is required'));
    socket.data = claims;
    next();
  });

  namespace.on('connection', async (socket) => {
    socket.on('message:send', send(deps, socket));
    socket.on('message:sync', sync(deps, socket));
    socket.on('message:read', read(deps, socket));
    socket.on('session:join', join(deps, socket));
    socket.on('session:leave', leave(deps, socket));
    socket.on('session:list', list(deps, socket));
    const { tenantId, agentId, role } = socket.data;
    if (role === 'supervisor') {
      await socket.join(supervisorRoom(tenantId));
      return;
    }
    try {
      await socket.join(agentRoom(tenantId, agentId));
      const sessions = await deps.chat.lists.listFor(tenantId, agentId);
      await socket.join(sessions.map((s) => sessionRoom(tenantId, s.sessionId)));
      socket.emit('session:list', sessions);
    } catch (error) {
      deps.chat.log.error('agent connect failed', { agentId, error: String(error) });
      socket.disconnect(true);
    }
  });
}
