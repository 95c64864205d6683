import type { ChatMessage } from './message';

/**
 * Typed socket.io events, shared by the gateway, the worker's emitter and
 * browser code. Names are `domain:verb`; acks are a tagged result.
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

export interface VisitorServerToClientEvents {
  'message:new': (message: ChatMessage) => void;
}

export interface VisitorClientToServerEvents {
  'message:sync': (request: MessageSyncRequest, ack: (result: Ack<MessagePage>) => void) => void;
}
