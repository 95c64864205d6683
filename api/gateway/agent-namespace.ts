import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import type { ChatMessage } from '../../domain/message';
import {
  agentReadRequestSchema,
  agentSendSchema,
  agentSyncRequestSchema,
  sessionRefSchema,
} from '../../domain/message-send';
import {
  agentRoom,
  sessionRoom,
  staffRoom,
  staffTokenRoom,
  supervisorRoom,
} from '../../domain/rooms';
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
import { verifyAgentToken, type AgentClaims, type VerifiedAgentToken } from '../../runtime/tokens';
import type { StaffAccessCheck } from '../auth/staff-access';
import type { TenantSuspension } from '../auth/tenant-suspension';
import { admitUnlessSuspended, handle, handshakeToken } from './acks';
import { agentTyping } from './typing';
import type { AgentPresence } from './agent-presence';

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
  /** Whether the token still holds (not logged out, account not deactivated or deleted). */
  staffAccess: StaffAccessCheck;
  /** A suspended tenant's sockets are refused at connect. */
  suspension: Pick<TenantSuspension, 'isSuspended'>;
  /** Told of every staff socket accepted and closed: presence follows them. */
  presence?: Pick<AgentPresence, 'connected' | 'disconnected'>;
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
    // A suspended tenant is refused first; then the account and the token are checked.
    admitUnlessSuspended(deps.suspension, claims.tenantId, (suspended) => {
      if (suspended) return next(suspended);
      admit(deps, socket, claims).then(
        (refused) => next(refused),
        (error: unknown) => {
          deps.chat.log.error('agent connect failed', {
            agentId: claims.agentId,
            error: String(error),
          });
          next(new Error('unavailable: the account could not be checked; retry'));
        },
      );
    });
  });
  // The rooms of the sessions the agent holds are joined before the
  // connection is accepted: the client's `connect` comes after this
  // middleware, and a message published between `connect` and a join done
  // later would reach this socket only on its next resync (a lost message to
  // an agent waiting for it).
  namespace.use((socket, next) => {
    joinHeldRooms(deps, socket).then(
      () => next(),
      (error: unknown) => {
        deps.chat.log.error('agent connect failed', {
          agentId: socket.data.agentId,
          error: String(error),
        });
        next(new Error('unavailable: the session list could not be read; retry'));
      },
    );
  });

  namespace.on('connection', async (socket) => {
    deps.presence?.connected(socket);
    socket.on('disconnect', () => deps.presence?.disconnected(socket));
    socket.on('message:send', send(deps, socket));
    socket.on('message:sync', sync(deps, socket));
    socket.on('message:read', read(deps, socket));
    socket.on('session:join', join(deps, socket));
    socket.on('session:leave', leave(deps, socket));
    socket.on('session:list', list(deps, socket));
    socket.on(
      'typing',
      agentTyping(namespace, deps.chat, { tenantId: socket.data.tenantId, viewer: viewer(socket) }),
    );
    if (socket.data.role === 'supervisor') return;
    try {
      socket.emit('session:list', await settleRooms(deps, socket));
    } catch (error) {
      deps.chat.log.error('agent connect failed', {
        agentId: socket.data.agentId,
        error: String(error),
      });
      socket.disconnect(true);
    }
  });
}

/**
 * Accepts a well-signed token only while it still holds (not logged out, the
 * account neither deactivated nor deleted), read fresh: connects are rare,
 * and a socket lives long once accepted. The socket joins the rooms a
 * revocation disconnects (see api/auth/access-revocation.ts).
 */
async function admit(
  deps: AgentGatewayDeps,
  socket: AgentSocket,
  claims: VerifiedAgentToken,
): Promise<Error | undefined> {
  if (!(await deps.staffAccess.allows(claims, { fresh: true }))) {
    return new Error('unauthorized: the token has been revoked');
  }
  const { tenantId, agentId, role, token } = claims;
  socket.data = { tenantId, agentId, role };
  await socket.join([staffRoom(tenantId, agentId), staffTokenRoom(tenantId, token.id)]);
  return undefined;
}

/** The session rooms each agent socket joined before it was connected. */
const joinedBeforeConnect = new WeakMap<AgentSocket, string[]>();

async function joinHeldRooms(deps: AgentGatewayDeps, socket: AgentSocket): Promise<void> {
  const { tenantId, agentId, role } = socket.data;
  if (role === 'supervisor') {
    await socket.join(supervisorRoom(tenantId));
    return;
  }
  await socket.join(agentRoom(tenantId, agentId));
  const held = await deps.chat.sessions.heldBy(tenantId, agentId);
  const rooms = held.map((doc) => sessionRoom(tenantId, doc._id));
  await socket.join(rooms);
  joinedBeforeConnect.set(socket, rooms);
}

/**
 * The list read again once connected. A session assigned, transferred or
 * closed while the socket was still connecting was moved by the worker
 * (socketsJoin / socketsLeave) on connected sockets only, so this socket
 * missed it; this read starts after it became connected, so it sees every
 * such move, and every later move reaches the socket itself.
 */
async function settleRooms(deps: AgentGatewayDeps, socket: AgentSocket) {
  const { tenantId, agentId } = socket.data;
  const sessions = await deps.chat.lists.listFor(tenantId, agentId);
  const now = new Set(sessions.map((s) => sessionRoom(tenantId, s.sessionId)));
  const before = joinedBeforeConnect.get(socket) ?? [];
  joinedBeforeConnect.delete(socket);
  for (const room of before) if (!now.has(room)) await socket.leave(room);
  await socket.join([...now]);
  return sessions;
}
