import { z } from 'zod';
import { eventTypes, isEventType } from '../../domain/events';
import { decodePosition, type EventFeed } from '../../events/feed';
import { tenantOf } from '../auth/authenticate';
import type { endpoints } from '../http/endpoint';
import { isoTime, limitQuery } from '../http/schemas';

const eventTypeList = eventTypes.join(', ');

export const feedEvent = z.object({
  id: z.string(),
  type: z.enum(eventTypes),
  tenantId: z.string(),
  occurredAt: isoTime,
  data: z.record(z.string(), z.unknown()),
  cursor: z.string().meta({ description: 'Read `after` this for what follows this event' }),
});

export const eventPage = z.object({
  items: z.array(feedEvent),
  next: z.string().optional().meta({
    description: 'Pass as `after` to read on; the same `after` again when nothing new has settled',
  }),
  retentionDays: z.number().meta({ description: 'How long events are kept' }),
});

export const feedQuery = z.strictObject({
  after: z
    .string()
    .min(1)
    .max(400)
    .refine((value) => decodePosition(value) !== undefined, {
      message: 'must be a cursor this feed handed out (`next` or an event’s `cursor`)',
    })
    .optional(),
  types: z
    .string()
    .min(1)
    .max(1000)
    .superRefine((value, ctx) => {
      const types = value.split(',');
      const unknown = types.filter((type) => !isEventType(type));
      if (unknown.length) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a comma list of event types (${eventTypeList}); not: ${unknown.map((t) => JSON.stringify(t)).join(', ')}`,
        });
      }
    })
    .transform((value) => value.split(',').filter(isEventType))
    .optional(),
  limit: limitQuery,
});

/**
 * The event feed, for integrators who pull: the tenant's events in order,
 * paged by cursor (events/feed.ts), kept for `retentionDays`. The same
 * events, in the same order, are what webhooks deliver.
 */
export function eventRoutes(api: ReturnType<typeof endpoints>, deps: { feed: EventFeed }) {
  api.add({
    method: 'get',
    path: '/api/v1/events',
    tag: 'events',
    summary: 'Domain events after a cursor, oldest first (pull-based integration)',
    roles: ['admin', 'integration'],
    query: feedQuery,
    responses: { 200: { description: 'A page of events', schema: eventPage } },
    async handle({ query, principal }) {
      const { entries, next } = await deps.feed.read(tenantOf(principal), {
        after: query.after,
        types: query.types,
        limit: query.limit,
      });
      return {
        status: 200,
        body: {
          items: entries.map((entry) => ({ ...entry.event, cursor: entry.position })),
          ...(next ? { next } : {}),
          retentionDays: deps.feed.retentionDays,
        },
      };
    },
  });
}
