// The shapes the pages receive from the engine, as JSDoc types: the pages
// are plain JS without a build step, so these stand in for the TypeScript
// ones they mirror (domain/message.ts, domain/socket-events.ts, and the
// route views in api/routes/*.ts; the OpenAPI document at /docs has them
// all). No runtime code: import them with `import('/shared/types.js').X`.

/**
 * @typedef {{ type: 'visitor' | 'agent' | 'robot' | 'system', id?: string }} Sender
 * @typedef {{ url: string, name: string, size: number, mimeType: string, width?: number, height?: number }} Attachment
 * @typedef {{ type: 'product' | 'order', ref: string, title: string, url?: string, imageUrl?: string, price?: string, status?: string }} Card
 * @typedef {{
 *   tenantId: string, sessionId: string, seq: number, messageId: string, clientMsgId?: string,
 *   kind: 'text' | 'image' | 'file' | 'card' | 'system' | 'rating', sender: Sender, text: string,
 *   attachment?: Attachment, card?: Card, suggestions?: string[], createdAt: string,
 * }} ChatMessage
 * @typedef {{ messages: ChatMessage[], hasMore: boolean }} MessagePage
 * @typedef {{ type: 'product' | 'shop' | 'order' | 'logistics', ref?: string }} Entry
 * @typedef {{
 *   sessionId: string, visitorId: string, channel: string, entry: Entry, phase: string,
 *   agentId?: string, assignedAt?: string, unread: number, visitorReadSeq: number,
 *   lastMessage?: Pick<ChatMessage, 'seq' | 'kind' | 'sender' | 'text' | 'createdAt'>,
 * }} SessionSummary
 * @typedef {{
 *   sessionId: string, visitorId: string, channel: string, entry: Entry, phase: string,
 *   startedAt: string, groupId?: string, agentId?: string, closedAt?: string, closeReason?: string,
 *   rating?: { score: number, comment?: string, at: string }, tags?: string[],
 * }} SessionView
 * @typedef {{ agentId: string, name?: string, status: 'online' | 'away' | 'offline', load: number, capacity: number, groups: string[] }} AgentLoad
 * @typedef {{ groupId: string, queueLength: number, longestWaitMs: number }} GroupQueue
 * @typedef {{ agents: AgentLoad[], groups: GroupQueue[] }} TransferTargets
 * @typedef {{
 *   ticketId: string, sessionId: string, visitorId: string, content: string, status: string,
 *   contact: { name?: string, phone?: string, email?: string, orderRef?: string }, createdAt: string,
 * }} Ticket
 * @typedef {{ sessionId: string, agentId?: string, score: number, comment?: string, at: string }} Rating
 * @typedef {{
 *   groups: GroupQueue[], agents: AgentLoad[], phases: Record<string, number>,
 *   today: { sessions: number, firstResponseMs?: number, replyRate?: number, satisfaction?: number, ratings: number, meanScore?: number },
 * }} LiveStats
 * @typedef {{ phase: string, queuePosition?: number, estimatedWaitMs?: number, offerExpiresAt?: string, closeReason?: string, rating?: { score: number } }} SessionState
 * @typedef {import('socket.io-client').Socket} Socket
 */

export {};
