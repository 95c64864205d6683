import type { Logger } from '../runtime/logger';
import type { AttachmentStore } from '../stores/attachments';
import type { LinkSigner } from './attachment-links';
import type { ChatSignals } from './chat-signals';
import type { MessageStore } from '../stores/messages';
import type { ReadMarkStore } from '../stores/read-marks';
import type { SessionStore } from '../stores/sessions';
import type { Broadcaster } from './broadcast';
import type { SendRateLimiter } from './rate-limit';
import type { SessionLists } from './session-lists';
import type { TurnTracker } from './turns';

/** What the chat use cases (send, sync, read) need; built once by the API's composition root. */
export interface ChatDeps {
  messages: MessageStore;
  sessions: SessionStore;
  reads: ReadMarkStore;
  broadcaster: Broadcaster;
  lists: SessionLists;
  turns: TurnTracker;
  signals: ChatSignals;
  sendRate: SendRateLimiter;
  log: Logger;
  /** Uploads a message may name, and the signer of their links. */
  attachments: AttachmentStore;
  links: LinkSigner;
}
