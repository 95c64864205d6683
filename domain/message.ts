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

/** `system`: queue position, warnings, transfer notices; `rating`: the rating invitation card. */
export type MessageKind = 'text' | 'system' | 'rating';

export interface ChatMessage {
  tenantId: string;
  sessionId: string;
  seq: number;
  /** Client message id, or a deterministic id for workflow-made messages. */
  messageId: string;
  kind: MessageKind;
  sender: Sender;
  text: string;
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
