// The HTTP answers the pages read, as JSDoc types: the views of the routes
// in api/routes/*.ts (the OpenAPI document at /docs has them all). What a
// socket carries (messages, pages, session list lines, the events
// themselves) is not here: the pages import it from
// domain/socket-events.ts. These few stay a hand-kept copy because the
// route views are zod schemas beside their express handlers: importing
// them would pull the server (api/, stores/, express, mongodb) into the
// pages' type check. No runtime code: import them with
// `import('/shared/route-views.js').X`.

/**
 * @typedef {import('../../domain/socket-events').Entry} Entry
 * @typedef {{
 *   sessionId: string, visitorId: string, channel: string, entry: Entry, phase: string,
 *   startedAt: string, groupId?: string, agentId?: string, closedAt?: string, closeReason?: string,
 *   rating?: { score: number, comment?: string, at: string }, tags?: string[],
 * }} SessionView
 * @typedef {{ agentId: string, name?: string, status: 'online' | 'busy' | 'away' | 'offline', statusReason?: 'disconnected', load: number, capacity: number, groups: string[] }} AgentLoad
 * @typedef {{ groupId: string, queueLength: number, longestWaitMs: number }} GroupQueue
 * @typedef {{ agents: AgentLoad[], groups: GroupQueue[] }} TransferTargets
 * @typedef {{
 *   ticketId: string, sessionId: string, visitorId: string, content: string, status: string,
 *   contact: { name?: string, phone?: string, email?: string, orderRef?: string }, createdAt: string,
 *   source?: 'leave_message' | 'chat', createdBy?: string, assigneeId?: string, resolution?: string,
 * }} Ticket
 * @typedef {{ sessionId: string, agentId?: string, score: number, comment?: string, at: string }} Rating
 * @typedef {{
 *   groups: GroupQueue[], agents: AgentLoad[], phases: Record<string, number>,
 *   today: { sessions: number, firstResponseMs?: number, replyRate?: number, satisfaction?: number, ratings: number, meanScore?: number },
 * }} LiveStats
 * @typedef {{ phase: string, queuePosition?: number, estimatedWaitMs?: number, offerExpiresAt?: string, closeReason?: string, rating?: { score: number }, leaveMessageForm?: Array<{ name: 'name' | 'phone' | 'email' | 'orderRef', required: boolean }> }} SessionState
 */

export {};
