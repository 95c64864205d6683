import type { Emitter } from '@socket.io/redis-emitter';
import type { Server } from 'socket.io';
import type { ChatMessage } from '../domain/message';
import { namespaces, sessionRoom } from '../domain/rooms';
import type { VisitorServerToClientEvents } from '../domain/socket-events';

/**
 * Sends an already-stored message to everyone in the session's room, on every
 * gateway node: the API uses its socket.io server (with the Redis adapter),
 * the worker the Redis emitter. Delivery is best effort; the stored seq and
 * the clients' resync are the guarantee (DESIGN.md §6).
 */
export interface Broadcaster {
  messageToSession(message: ChatMessage): void;
}

export function serverBroadcaster(io: Server): Broadcaster {
  return {
    messageToSession(message) {
      io.of(namespaces.visitor)
        .to(sessionRoom(message.tenantId, message.sessionId))
        .emit('message:new', message);
    },
  };
}

export function emitterBroadcaster(emitter: Emitter<VisitorServerToClientEvents>): Broadcaster {
  return {
    messageToSession(message) {
      emitter
        .of(namespaces.visitor)
        .to(sessionRoom(message.tenantId, message.sessionId))
        .emit('message:new', message);
    },
  };
}
