import type { SessionDoc, TicketDoc } from '../stores/collections';

/**
 * Event bodies, which are the public views the REST API answers with (GET
 * /api/v1/tickets/:id, GET /api/v1/sessions/:id): built here, below api/, and
 * used by api/views for the REST answers, so the two are one definition.
 */

const iso = (d: Date | undefined) => d?.toISOString();
const defined = <T extends object>(o: T): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export const ticketEventView = (t: TicketDoc) =>
  defined({
    ticketId: t._id,
    sessionId: t.sessionId,
    visitorId: t.visitorId,
    groupId: t.groupId,
    contact: t.contact,
    content: t.content,
    source: t.source ?? 'leave_message',
    createdBy: t.createdBy,
    context: t.context
      ? {
          ...t.context,
          lastMessages: t.context.lastMessages.map((m) => ({ ...m, at: m.at.toISOString() })),
        }
      : undefined,
    status: t.status,
    assigneeId: t.assigneeId,
    resolution: t.resolution,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    resolvedAt: iso(t.resolvedAt),
    replies: t.replies?.length
      ? t.replies.map((r) => ({ text: r.text, at: r.at.toISOString() }))
      : undefined,
    reopenedAt: iso(t.reopenedAt),
  });

/** The session as an admin reads it (every tag visible: webhooks go to the tenant's own systems). */
export const sessionEventView = (s: SessionDoc) =>
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
    tags: s.tags?.length ? s.tags : undefined,
  });
