import { createHash } from 'node:crypto';
import type { EventType } from '../domain/events';

/**
 * An event's id, derived from the fact alone: the tenant, the type and a key
 * naming the fact (a ticket id, `<session>/<message id>`, a transition
 * number…). Whoever records the fact, however often, makes the same id, so
 * the outbox stores it once and receivers can dedupe by it. Hashed, so ids
 * are opaque, fixed-length and unique across tenants.
 */
export function eventId(tenantId: string, type: EventType, key: string): string {
  const digest = createHash('sha256').update(`${tenantId}\n${type}\n${key}`).digest('base64url');
  return `evt_${digest.slice(0, 26)}`;
}
