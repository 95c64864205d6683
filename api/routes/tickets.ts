import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { AgentStore } from '../../stores/agents';
import type { TicketStore } from '../../stores/tickets';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { limitQuery } from '../http/schemas';
import { requireAgent } from '../use-cases/references';
import { ticketStatuses, ticketView, toTicketView } from '../views';

export interface TicketDeps {
  tickets: TicketStore;
  /** A ticket is assigned to an agent of the tenant, which must exist. */
  agents: Pick<AgentStore, 'getAgent'>;
}

const ticketParams = z.strictObject({ ticketId: opaqueId });

/**
 * `/api/v1/tickets`: the messages shoppers left (off hours, queue overflow)
 * and the tickets agents made from chats, to assign and resolve. Admins and
 * supervisors assign to any agent of the tenant; an agent takes an
 * unassigned ticket (assigns it to themselves) and resolves its own.
 */
export function ticketRoutes(api: ReturnType<typeof endpoints>, deps: TicketDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/tickets',
    tag: 'tickets',
    summary: 'Tickets (left messages and tickets made from chats), newest first',
    roles: roles.staff,
    query: z.strictObject({
      status: z.enum(ticketStatuses).optional(),
      assigneeId: opaqueId.optional(),
      groupId: opaqueId.optional(),
      limit: limitQuery,
    }),
    responses: {
      200: { description: 'Tickets', schema: z.object({ items: z.array(ticketView) }) },
    },
    async handle({ query, principal }) {
      const { limit, ...filter } = query;
      const docs = await deps.tickets.list(tenantOf(principal), filter, limit);
      return { status: 200, body: { items: docs.map(toTicketView) } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/tickets/:ticketId',
    tag: 'tickets',
    summary: 'One ticket',
    roles: roles.staff,
    params: ticketParams,
    responses: { 200: { description: 'The ticket', schema: ticketView } },
    errors: { 404: 'No such ticket' },
    async handle({ params, principal }) {
      const doc = await deps.tickets.get(tenantOf(principal), params.ticketId);
      if (!doc) throw new AppError(404, 'not_found', `No ticket ${params.ticketId}`);
      return { status: 200, body: toTicketView(doc) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/tickets/:ticketId/assign',
    tag: 'tickets',
    summary: 'Assign a ticket to an agent (agents: take an unassigned ticket)',
    roles: ['admin', 'supervisor', 'agent'],
    params: ticketParams,
    body: z.strictObject({ agentId: opaqueId }),
    responses: { 200: { description: 'Assigned', schema: ticketView } },
    errors: {
      403: 'An agent assigns only to themselves, and only a ticket no one else has',
      404: 'No such ticket',
      409: 'The ticket is resolved',
      422: 'No such agent in the tenant (`agentId`)',
    },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      const existing = await deps.tickets.get(tenantId, params.ticketId);
      if (!existing) throw new AppError(404, 'not_found', `No ticket ${params.ticketId}`);
      if (existing.status === 'resolved') {
        throw new AppError(409, 'ticket_resolved', 'A resolved ticket cannot be assigned');
      }
      await requireAgent(deps.agents, tenantId, 'agentId', body.agentId);
      if (
        principal?.role === 'agent' &&
        (body.agentId !== principal.agentId ||
          (existing.assigneeId !== undefined && existing.assigneeId !== principal.agentId))
      ) {
        throw new AppError(
          403,
          'forbidden',
          'An agent may only take a ticket no one else has (assign it to themselves)',
        );
      }
      const doc = await deps.tickets.assign(tenantId, params.ticketId, body.agentId);
      if (!doc) throw new AppError(404, 'not_found', `No ticket ${params.ticketId}`);
      return { status: 200, body: toTicketView(doc) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/tickets/:ticketId/resolve',
    tag: 'tickets',
    summary: 'Resolve a ticket (agents: only tickets assigned to them)',
    roles: roles.staff.filter((r) => r !== 'integration'),
    params: ticketParams,
    body: z.strictObject({ resolution: z.string().trim().min(1).max(2000).optional() }),
    responses: { 200: { description: 'Resolved', schema: ticketView } },
    errors: { 404: 'No such ticket' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      const existing = await deps.tickets.get(tenantId, params.ticketId);
      if (!existing) throw new AppError(404, 'not_found', `No ticket ${params.ticketId}`);
      if (principal?.role === 'agent' && existing.assigneeId !== principal.agentId) {
        throw new AppError(403, 'forbidden', 'An agent may resolve only tickets assigned to them');
      }
      const doc = await deps.tickets.resolve(tenantId, params.ticketId, body.resolution);
      if (!doc) throw new AppError(404, 'not_found', `No ticket ${params.ticketId}`);
      return { status: 200, body: toTicketView(doc) };
    },
  });
}
