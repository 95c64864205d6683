import type { ChatTurn, VisitorText } from '../domain/session-commands';

/** What the message fast path tells a session workflow (built by wiring/tell-chat.ts). */
export interface ChatSignals {
  /** A shopper message the robot must answer (robot phase). */
  visitorText(tenantId: string, sessionId: string, text: VisitorText): Promise<void>;
  /** The speaker changed (human phase). */
  chatTurn(tenantId: string, sessionId: string, turn: ChatTurn): Promise<void>;
}
