/**
 * The chat message model. A message is stored once per (session, messageId)
 * and numbered by a per-session sequence that is strictly increasing and
 * gapless (DESIGN.md §6).
 */

export type SenderType = 'visitor' | 'agent' | 'robot' | 'system';

export interface Sender {
  type: SenderType;
  /** Visitor or agent id; absent for robot and system messages. */
  id?: string;
}

/**
 * `text`, `image`, `video`, `file` and `card` are sent by people (a video
 * is always an upload); `system` (queue
 * position, warnings, transfer notices) and `rating` (the rating invitation
 * card) are made by the workflow.
 */
export const messageKinds = ['text', 'image', 'file', 'card', 'system', 'rating', 'video'] as const;
export type MessageKind = (typeof messageKinds)[number];

/**
 * An image, video or file: either a link the sender gave (where it is and
 * what it is), or an upload the engine stores (`id` set; `url` and
 * `thumbnailUrl` are links signed for the session's participants that work
 * until `expiresAt`).
 */
export interface Attachment {
  /** The uploaded attachment's id; absent for a link. */
  id?: string;
  url: string;
  thumbnailUrl?: string;
  expiresAt?: string;
  name: string;
  /** Bytes. */
  size: number;
  mimeType: string;
  width?: number;
  height?: number;
}

/** A product or order the shopper or agent points at. */
export interface Card {
  type: 'product' | 'order';
  /** The merchant's id of the product or order. */
  ref: string;
  title: string;
  url?: string;
  imageUrl?: string;
  /** Display price, e.g. "¥199.00": shown as given. */
  price?: string;
  /** Order status as the merchant names it. */
  status?: string;
}

export interface ChatMessage {
  tenantId: string;
  sessionId: string;
  seq: number;
  /**
   * Unique within the session: `v:<clientMsgId>` for the shopper,
   * `a:<agentId>:<clientMsgId>` for an agent, `wf:<purpose>` for the workflow,
   * so no sender can take (or block) another's id.
   */
  messageId: string;
  /** The sender's own id for the message, echoed so it can match the ack and the broadcast. */
  clientMsgId?: string;
  kind: MessageKind;
  sender: Sender;
  /** Plain text, never markup; a caption (possibly empty) for images, files and cards. */
  text: string;
  attachment?: Attachment;
  card?: Card;
  /** Robot answers: questions the shopper may want to ask next (tappable chips). */
  suggestions?: string[];
  createdAt: string;
}

/** A message before it is numbered: what a sender hands to the append path. */
export type NewMessage = Omit<ChatMessage, 'seq' | 'createdAt'>;

/** Messages the workflow makes carry ids derived from the session, so retries never duplicate. */
export function workflowMessageId(purpose: string): string {
  return `wf:${purpose}`;
}

/** The stored id of a message a person sent: scoped by who sent it. */
export function personMessageId(sender: Sender, clientMsgId: string): string {
  return sender.type === 'agent' ? `a:${sender.id ?? ''}:${clientMsgId}` : `v:${clientMsgId}`;
}
