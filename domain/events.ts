/**
 * Domain events: facts a merchant reacts to, each with a stable id, a type,
 * the tenant, a time and a body that is the public view of its object (the
 * view the REST API answers with). docs/webhooks.md lists every type and its
 * body; webhooks and the event feed (events/) carry them.
 */

export const eventTypes = [
  'session.opened',
  'session.queued',
  'session.assigned',
  'session.transferred',
  'session.closed',
  'session.rated',
  'session.agent_silent',
  'message.created',
  'ticket.created',
  'ticket.assigned',
  'ticket.resolved',
  'ticket.replied',
  'tag.added',
  'tag.removed',
  'agent.status_changed',
] as const;
export type EventType = (typeof eventTypes)[number];

/** What a receiver gets (the webhook body) and what the feed lists. */
export interface DomainEvent {
  /** `evt_…`: the same for every delivery of the fact, so receivers dedupe by it. */
  id: string;
  type: EventType;
  tenantId: string;
  /** When the fact was recorded (ISO 8601). */
  occurredAt: string;
  data: Record<string, unknown>;
}

export const isEventType = (value: string): value is EventType =>
  (eventTypes as readonly string[]).includes(value);
