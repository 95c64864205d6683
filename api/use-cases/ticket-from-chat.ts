import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '../../domain/message';
import type { AgentStore } from '../../stores/agents';
import type { SessionDoc, TicketDoc } from '../../stores/collections';
import type { CustomerStore } from '../../stores/customers';
import type { MessageStore } from '../../stores/messages';
import type { TicketStore } from '../../stores/tickets';
import { AppError } from '../errors';
import { requireAgent } from './references';
import type { StaffPrincipal } from './staff-session';

export interface TicketFromChatDeps {
  tickets: Pick<TicketStore, 'openFromChat' | 'assign' | 'get'>;
  customers: Pick<CustomerStore, 'get'>;
  messages: Pick<MessageStore, 'listBefore'>;
  agents: Pick<AgentStore, 'getAgent'>;
}

/** Lines of the chat a ticket keeps, and characters of each. */
export const ticketContextLimits = { lines: 10, chars: 500 } as const;

/** A message as one line of text: a card or a file by its title or name when it has no caption. */
function lineText(message: ChatMessage): string {
  const text =
    message.text.trim() || message.card?.title || message.attachment?.name || `[${message.kind}]`;
  return text.length > ticketContextLimits.chars
    ? `${text.slice(0, ticketContextLimits.chars - 1)}…`
    : text;
}

/**
 * An agent turns a chat into a ticket for later (a refund to check, a
 * parcel to chase): linked to the session and its customer, with the
 * customer's contact from the profile, the order the chat was opened from,
 * and the chat's latest lines, so the ticket reads on its own. Checked
 * first (an assignee must be an agent of the tenant; an agent assigns only
 * to themselves), then stored and, when assigned, assigned: each step
 * records its event (ticket.created, ticket.assigned).
 */
export async function ticketFromChat(
  deps: TicketFromChatDeps,
  principal: StaffPrincipal,
  session: SessionDoc,
  request: { content: string; assigneeId?: string | undefined },
): Promise<TicketDoc> {
  const { tenantId } = session;
  const { assigneeId } = request;
  if (assigneeId !== undefined) {
    await requireAgent(deps.agents, tenantId, 'assigneeId', assigneeId);
    if (principal.role === 'agent' && assigneeId !== principal.agentId) {
      throw new AppError(403, 'forbidden', 'An agent may assign a ticket only to themselves');
    }
  }
  const [profile, page] = await Promise.all([
    deps.customers.get(tenantId, session.visitorId, []),
    deps.messages.listBefore(
      tenantId,
      session._id,
      Number.MAX_SAFE_INTEGER,
      ticketContextLimits.lines,
    ),
  ]);
  const name = profile?.name ?? profile?.givenName;
  const orderRef = session.entry.type === 'order' ? session.entry.ref : undefined;
  const ticketId = await deps.tickets.openFromChat(tenantId, {
    ticketId: `ticket-${randomUUID()}`,
    sessionId: session._id,
    visitorId: session.visitorId,
    ...(session.groupId ? { groupId: session.groupId } : {}),
    contact: {
      ...(name ? { name } : {}),
      ...(profile?.email ? { email: profile.email } : {}),
      ...(profile?.phone ? { phone: profile.phone } : {}),
      ...(orderRef ? { orderRef } : {}),
    },
    content: request.content,
    createdBy: principal.agentId,
    context: {
      entry: session.entry,
      channel: session.channel,
      ...(session.agentId ? { agentId: session.agentId } : {}),
      lastMessages: page.messages.map((m) => ({
        seq: m.seq,
        sender: m.sender.type,
        text: lineText(m),
        at: new Date(m.createdAt),
      })),
    },
  });
  const doc = assigneeId
    ? await deps.tickets.assign(tenantId, ticketId, assigneeId)
    : await deps.tickets.get(tenantId, ticketId);
  if (!doc) throw new Error(`ticket ${ticketId} went away as it was made`);
  return doc;
}
