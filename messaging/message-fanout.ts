import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '../domain/message';
import type { RedisClient } from '../runtime/connections';

/**
 * A session's new messages reach every gateway node through one Redis
 * channel, one publish per message. Through socket.io's Redis adapter a
 * message cost two (one per namespace), each encoded with msgpack, and every
 * node, the sender's too, decoded both before finding they were its own.
 * Here each payload starts with the publishing process's id, so a gateway
 * drops its own with a prefix check, having delivered them locally already.
 * Delivery stays best effort: receivers close gaps by seq (DESIGN.md §6).
 */
export const messageChannel = 'reception:messages';

/** Names one publishing process (a gateway or a worker). */
export const newOrigin = (): string => randomUUID();

export function messagePublisher(pub: RedisClient, origin: string) {
  const prefix = `${origin}\n`;
  return (message: ChatMessage): void => {
    // Lost with a Redis outage like any live delivery; the stored seq is the guarantee.
    pub.publish(messageChannel, prefix + JSON.stringify(message)).catch(() => undefined);
  };
}

const isMessage = (value: unknown): value is ChatMessage =>
  typeof value === 'object' &&
  value !== null &&
  'tenantId' in value &&
  typeof value.tenantId === 'string' &&
  'sessionId' in value &&
  typeof value.sessionId === 'string' &&
  'seq' in value &&
  typeof value.seq === 'number';

/**
 * Hands `deliver` every message other processes publish; the subscription
 * lives as long as `sub` (a client in subscriber mode).
 */
export async function subscribeToMessages(
  sub: RedisClient,
  origin: string,
  deliver: (message: ChatMessage) => void,
): Promise<void> {
  const own = `${origin}\n`;
  await sub.subscribe(messageChannel, (payload: string) => {
    if (payload.startsWith(own)) return;
    const newline = payload.indexOf('\n');
    if (newline < 0) return;
    const body = payload.slice(newline + 1);
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return;
    }
    if (isMessage(message)) deliver(message);
  });
}
