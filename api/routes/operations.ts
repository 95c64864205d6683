import { z } from 'zod';
import { roles } from '../../domain/access';
import { outreachDecision } from '../../domain/outreach';
import { channels, entryTypes, opaqueId, sessionPhases } from '../../domain/session';
import { closeReasons } from '../../domain/session-commands';
import type { AgentStore } from '../../stores/agents';
import type { SessionDoc, TicketDoc } from '../../stores/collections';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import type { TicketStore } from '../../stores/tickets';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { isoTime, limitQuery } from '../http/schemas';
import { requireAgent } from '../use-cases/references';
import { hiddenTagIds } from './tag-visibility';

export interface OperationsDeps {
  sessions: SessionStore;
  tickets: TicketStore;
  agents: AgentStore;
  tags: TagStore;
  now?: () => Date;
}

const iso = (d: Date | undefined) => d?.toISOString();
const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const rating = z.object({ score: z.number(), comment: z.string().optional(), at: isoTime });
export const sessionView = z.object({
  sessionId: z.string(),
  visitorId: z.string(),
  channel: z.enum(channels),
  entry: z.object({ type: z.enum(entryTypes), ref: z.string().optional() }),
  phase: z.enum(sessionPhases),
  flowVersion: z.number().optional(),
  startedAt: isoTime,
  groupId: z.string().optional(),
  agentId: z.string().optional(),
  assignedAt: isoTime.optional(),
  firstResponseAt: isoTime.optional(),
  closedAt: isoTime.optional(),
  closeReason: z.enum(closeReasons).optional(),
  rating: rating.optional(),
  tags: z.array(z.string()).optional(),
});
/** `hidden`: tag ids the reader may not see (supervisor-only tags, for agents). */
export const toSessionView = (s: SessionDoc, hidden: Set<string>) =>
  defined({
    sessionId: s._id,
    visitorId: s.visitorId,
    channel: s.channel,
    entry: s.entry,
    phase: s.phase,
    flowVersion: s.flowVersion,
    startedAt: s.startedAt.toISOString(),
    groupId: s.groupId,
    agentId: s.agentId,
    assignedAt: iso(s.assignedAt),
    firstResponseAt: iso(s.firstResponseAt),
    closedAt: iso(s.closedAt),
    closeReason: s.closeReason,
    rating: s.rating ? defined({ ...s.rating, at: s.rating.at.toISOString() }) : undefined,
    tags: visibleTags(s.tags, hidden),
  });

function visibleTags(tags: string[] | undefined, hidden: Set<string>) {
  const visible = (tags ?? []).filter((id) => !hidden.has(id));
  return visible.length ? visible : undefined;
}

const ticketStatuses = ['open', 'assigned', 'resolved'] as const;
export const ticketView = z.object({
  ticketId: z.string(),
  sessionId: z.string(),
  visitorId: z.string(),
  groupId: z.string().optional(),
  contact: z.object({
    name: z.string().optional(),
    phone: z.string().optional(),
    email: z.string().optional(),
    orderRef: z.string().optional(),
  }),
  content: z.string(),
  status: z.enum(ticketStatuses),
  assigneeId: z.string().optional(),
  resolution: z.string().optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  resolvedAt: isoTime.optional(),
});
const toTicketView = (t: TicketDoc) =>
  defined({
    ticketId: t._id,
    sessionId: t.sessionId,
    visitorId: t.visitorId,
    groupId: t.groupId,
    contact: t.contact,
    content: t.content,
    status: t.status,
    assigneeId: t.assigneeId,
    resolution: t.resolution,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    resolvedAt: iso(t.resolvedAt),
  });

export const outreachView = z.object({
  allowed: z.literal(true),
  lastConsultationAt: isoTime,
  allowedUntil: isoTime,
});

const date = isoTime.transform((s) => new Date(s));
const ticketParams = z.strictObject({ ticketId: opaqueId });

/** Sessions, ratings, tickets and the outreach rule: what integrators and supervisors read. */
export function operationsRoutes(api: ReturnType<typeof endpoints>, deps: OperationsDeps) {
  const now = deps.now ?? (() => new Date());

  api.add({
    method: 'get',
    path: '/api/v1/sessions',
    tag: 'sessions',
    summary: 'Search sessions by phase, agent, group, visitor, tag and start time, newest first',
    roles: roles.staff,
    query: z.strictObject({
      phase: z.enum(sessionPhases).optional(),
      agentId: opaqueId.optional(),
      groupId: opaqueId.optional(),
      visitorId: opaqueId.optional(),
      tag: opaqueId.optional().meta({ description: 'A tag id the session carries' }),
      from: date.optional().meta({ description: 'Started at or after (ISO time)' }),
      to: date.optional().meta({ description: 'Started before (ISO time)' }),
      before: date.optional().meta({ description: 'Next page: the last item’s startedAt' }),
      limit: limitQuery,
    }),
    responses: {
      200: { description: 'Sessions', schema: z.object({ items: z.array(sessionView) }) },
    },
    async handle({ query, principal }) {
      const tenantId = tenantOf(principal);
      // Agents see their own sessions only.
      const agentId = principal?.role === 'agent' ? principal.agentId : query.agentId;
      const hidden = await hiddenTagIds(deps.tags, tenantId, principal?.role ?? 'agent');
      // A tag the caller may not see matches nothing, so filtering cannot reveal it.
      if (query.tag !== undefined && hidden.has(query.tag)) {
        return { status: 200, body: { items: [] } };
      }
      const { limit, phase, ...rest } = query;
      const docs = await deps.sessions.search(
        tenantId,
        { ...rest, ...(phase ? { phase: [phase] } : {}), ...(agentId ? { agentId } : {}) },
        limit,
      );
      return { status: 200, body: { items: docs.map((s) => toSessionView(s, hidden)) } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/sessions/:sessionId',
    tag: 'sessions',
    summary: 'One session',
    roles: roles.staff,
    params: z.strictObject({ sessionId: opaqueId }),
    responses: { 200: { description: 'The session', schema: sessionView } },
    errors: { 404: 'No such session' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      const doc = await deps.sessions.get(tenantId, params.sessionId);
      if (!doc || (principal?.role === 'agent' && doc.agentId !== principal.agentId)) {
        throw new AppError(404, 'not_found', `No session ${params.sessionId}`);
      }
      const hidden = await hiddenTagIds(deps.tags, tenantId, principal?.role ?? 'agent');
      return { status: 200, body: toSessionView(doc, hidden) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/ratings',
    tag: 'sessions',
    summary: 'Rated sessions, newest first',
    roles: roles.readers,
    query: z.strictObject({
      agentId: opaqueId.optional(),
      groupId: opaqueId.optional(),
      from: date.optional(),
      to: date.optional(),
      limit: limitQuery,
    }),
    responses: {
      200: {
        description: 'Ratings',
        schema: z.object({
          items: z.array(
            z.object({
              sessionId: z.string(),
              agentId: z.string().optional(),
              groupId: z.string().optional(),
              score: z.number(),
              comment: z.string().optional(),
              at: isoTime,
            }),
          ),
        }),
      },
    },
    async handle({ query, principal }) {
      const { limit, ...filter } = query;
      const docs = await deps.sessions.search(
        tenantOf(principal),
        { ...filter, rated: true },
        limit,
      );
      const items = docs.flatMap((s) =>
        s.rating
          ? [
              defined({
                sessionId: s._id,
                agentId: s.agentId,
                groupId: s.groupId,
                score: s.rating.score,
                comment: s.rating.comment,
                at: s.rating.at.toISOString(),
              }),
            ]
          : [],
      );
      return { status: 200, body: { items } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/tickets',
    tag: 'tickets',
    summary: 'Leave-message tickets, newest first',
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
    summary: 'Assign a ticket to an agent',
    roles: roles.adminOrSupervisor,
    params: ticketParams,
    body: z.strictObject({ agentId: opaqueId }),
    responses: { 200: { description: 'Assigned', schema: ticketView } },
    errors: { 404: 'No such ticket', 409: 'The ticket is resolved', 422: 'No such agent' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      const existing = await deps.tickets.get(tenantId, params.ticketId);
      if (!existing) throw new AppError(404, 'not_found', `No ticket ${params.ticketId}`);
      if (existing.status === 'resolved') {
        throw new AppError(409, 'ticket_resolved', 'A resolved ticket cannot be assigned');
      }
      await requireAgent(deps.agents, tenantId, 'agentId', body.agentId);
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

  api.add({
    method: 'get',
    path: '/api/v1/customers/:visitorId/outreach',
    tag: 'outreach',
    summary: 'May we message this customer first? Only within 3 days of their last consultation',
    roles: roles.staff,
    params: z.strictObject({ visitorId: opaqueId }),
    responses: {
      200: { description: 'Outreach is allowed until `allowedUntil`', schema: outreachView },
    },
    errors: { 403: 'Outreach is not allowed; `code` and `message` give the reason' },
    async handle({ params, principal }) {
      const [last] = await deps.sessions.search(
        tenantOf(principal),
        { visitorId: params.visitorId },
        1,
      );
      const decision = outreachDecision(last?.startedAt, now());
      if (!decision.allowed) throw new AppError(403, decision.reason, decision.message);
      return {
        status: 200,
        body: {
          allowed: true,
          lastConsultationAt: decision.lastConsultationAt.toISOString(),
          allowedUntil: decision.allowedUntil.toISOString(),
        },
      };
    },
  });
}
