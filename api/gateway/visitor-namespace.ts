import type { Namespace, Socket } from 'socket.io';
import type { ChatMessage } from '../../domain/message';
import { readRequestSchema, syncRequestSchema, visitorSendSchema } from '../../domain/message-send';
import { sessionRoom } from '../../domain/rooms';
import type { Viewer } from '../../domain/session-access';
import type {
  MessagePage,
  ReadReceipt,
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
} from '../../domain/socket-events';
import type { ChatDeps } from '../../messaging/chat-deps';
import { markRead, readMessages } from '../../messaging/read-messages';
import { sendMessage } from '../../messaging/send-message';
import { verifyVisitorToken, type VisitorClaims } from '../../runtime/tokens';
import { admitUnlessSuspended, handle, handshakeToken } from './acks';
import type { TenantSuspension } from '../auth/tenant-suspension';
import { visitorTyping } from './typing';

type VisitorSocket = Socket<
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
  object,
  VisitorClaims
>;
export type VisitorNamespace = Namespace<
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
  object,
  VisitorClaims
>;

export interface VisitorGatewayDeps {
  tokenSecret: string;
  chat: ChatDeps;
  /** A suspended tenant's sockets are refused at connect. */
  suspension: Pick<TenantSuspension, 'isSuspended'>;
}

const viewer = (socket: VisitorSocket): Viewer => ({
  type: 'visitor',
  sessionId: socket.data.sessionId,
});

/** `message:send`: the ack carries the stored message; the follow-up runs after it. */
const send = ({ chat }: VisitorGatewayDeps, socket: VisitorSocket) =>
  handle<typeof visitorSendSchema, ChatMessage>(
    visitorSendSchema,
    chat.log,
    'send the message',
    async (body, reply) => {
      const { tenantId, sessionId, visitorId } = socket.data;
      const sent = await sendMessage(
        chat,
        tenantId,
        { type: 'visitor', sessionId, visitorId },
        sessionId,
        body,
      );
      reply({ ok: true, data: sent.message });
      await sent.followUp;
    },
  );

/** `message:sync`: what the visitor missed after `afterSeq`, paged. */
const sync = ({ chat }: VisitorGatewayDeps, socket: VisitorSocket) =>
  handle<typeof syncRequestSchema, MessagePage>(
    syncRequestSchema,
    chat.log,
    'read messages',
    async ({ afterSeq, limit }, reply) => {
      const { tenantId, sessionId } = socket.data;
      const page = await readMessages(chat, tenantId, viewer(socket), sessionId, afterSeq, limit);
      reply({ ok: true, data: page });
    },
  );

/** `message:read`: a read receipt for the agent. */
const read = ({ chat }: VisitorGatewayDeps, socket: VisitorSocket) =>
  handle<typeof readRequestSchema, ReadReceipt>(
    readRequestSchema,
    chat.log,
    'mark messages read',
    async ({ seq }, reply) => {
      const { tenantId, sessionId } = socket.data;
      reply({ ok: true, data: await markRead(chat, tenantId, viewer(socket), sessionId, seq) });
    },
  );

/**
 * The visitor namespace: a socket proves with its visitor token which session
 * it belongs to, and joins only that session's room; every event acts on
 * that session alone, so there is no session id to spoof.
 */
export function wireVisitorNamespace(namespace: VisitorNamespace, deps: VisitorGatewayDeps): void {
  namespace.use((socket, next) => {
    const claims = verifyVisitorToken(deps.tokenSecret, handshakeToken(socket.handshake.auth));
    if (!claims) return next(new Error('unauthorized: a valid visitor token is required'));
    socket.data = claims;
    admitUnlessSuspended(deps.suspension, claims.tenantId, next);
  });

  namespace.on('connection', async (socket) => {
    // The socket serves one session: its log lines say which.
    const log = deps.chat.log.child({ sessionId: socket.data.sessionId });
    const own = { ...deps, chat: { ...deps.chat, log } };
    // Handlers first, so an event sent right after connecting is not lost while joining.
    socket.on('message:send', send(own, socket));
    socket.on('message:sync', sync(own, socket));
    socket.on('message:read', read(own, socket));
    socket.on('typing', visitorTyping(namespace, log, socket.data));
    await socket.join(sessionRoom(socket.data.tenantId, socket.data.sessionId));
  });
}
