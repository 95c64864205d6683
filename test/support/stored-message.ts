import type { Db } from 'mongodb';
import { personMessageId, type ChatMessage } from '../../domain/message';
import { messageStore } from '../../stores/messages';

/**
 * A person's text stored as the fast path stores it, with nobody told: what
 * a gateway node that died between storing and telling leaves behind, or a
 * turn the workflow reads back instead of being told.
 */
export async function storedUntold(
  db: Db,
  message: {
    tenantId: string;
    sessionId: string;
    sender: { type: 'visitor' | 'agent'; id: string };
    clientMsgId: string;
    text: string;
  },
): Promise<ChatMessage> {
  const { sender, clientMsgId } = message;
  const stored = await messageStore(db).append({
    ...message,
    messageId: personMessageId(sender, clientMsgId),
    kind: 'text',
  });
  return stored.message;
}
