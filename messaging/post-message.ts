import type { NewMessage } from '../domain/message';
import type { AppendResult, MessageStore } from '../stores/messages';
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
): Promise<AppendResult> {
  const result = await deps.messages.append(message);
  deps.broadcaster.messageToSession(result.message);
  return result;
}
