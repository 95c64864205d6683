import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { sessionRoom } from '../../domain/rooms';
import type {
  Ack,
  MessagePage,
  MessageSyncRequest,
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
} from '../../domain/socket-events';
import type { Logger } from '../../runtime/logger';
import { verifyVisitorToken, type VisitorClaims } from '../../runtime/tokens';
import type { MessageStore } from '../../stores/messages';
import { fieldProblems } from '../errors';

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

interface VisitorGatewayDeps {
  tokenSecret: string;
  messages: MessageStore;
  log: Logger;
}

const syncSchema = z.strictObject({
  afterSeq: z.number().int().min(0),
  limit: z.number().int().min(1).max(200).default(100),
});

function invalid<T>(error: z.ZodError): Ack<T> {
  const message = fieldProblems(error)
    .map((f) => `${f.path}: ${f.message}`)
    .join('; ');
  return { ok: false, error: { code: 'invalid_payload', message } };
}

/** `message:sync`: what the visitor missed after `afterSeq`, paged. */
const syncMessages =
  ({ messages, log }: VisitorGatewayDeps, socket: VisitorSocket) =>
  async (payload: MessageSyncRequest, ack: (result: Ack<MessagePage>) => void) => {
    if (typeof ack !== 'function') return;
    const parsed = syncSchema.safeParse(payload);
    if (!parsed.success) return ack(invalid(parsed.error));
    const { tenantId, sessionId } = socket.data;
    try {
      ack({
        ok: true,
        data: await messages.listAfter(
          tenantId,
          sessionId,
          parsed.data.afterSeq,
          parsed.data.limit,
        ),
      });
    } catch (error) {
      log.error('message sync failed', { sessionId, error: String(error) });
      ack({
        ok: false,
        error: { code: 'internal', message: 'Could not read messages; try again' },
      });
    }
  };

/**
 * The visitor namespace: a socket proves with its visitor token which session
 * it belongs to, and joins only that session's room.
 */
export function wireVisitorNamespace(namespace: VisitorNamespace, deps: VisitorGatewayDeps): void {
  namespace.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token =
      typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
    const claims = verifyVisitorToken(deps.tokenSecret, token);
    if (!claims) return next(new Error('unauthorized: a valid visitor token is required'));
    socket.data = claims;
    next();
  });

  namespace.on('connection', async (socket) => {
    await socket.join(sessionRoom(socket.data.tenantId, socket.data.sessionId));
    socket.on('message:sync', syncMessages(deps, socket));
  });
}
