import type { ChatMessage, NewMessage } from '../domain/message';
import type { MessageStore } from '../stores/messages';
import type { Broadcaster } from './broadcast';

export interface PostMessageDeps {
  messages: MessageStore;
  broadcaster: Broadcaster;
}

/**
 * The one append-and-deliver path: persisted first, then emitted. A resend of
 * a stored message id is emitted again (the first emit may have been lost with
 * a crashed process) but never stored twice; receivers drop seqs they have.
 */
export async function postMessage(
  deps: PostMessageDeps,
  message: NewMessage,
): Promise<ChatMessage> {
  const { message: stored } = await deps.messages.append(message);
  deps.broadcaster.messageToSession(stored);
  return stored;
}
