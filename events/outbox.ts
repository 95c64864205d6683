import type { Db } from 'mongodb';
import type { EventType } from '../domain/events';
import { collections, type AgentDoc, type EventDoc, type SessionDoc } from '../stores/collections';
import { isDuplicateKey } from '../stores/mongo-errors';
import { eventId } from './event-id';

/**
 * The outbox: domain events recorded by the step that records their fact.
 *
 * State: the `events` collection, one document per fact, `_id`
 * `<tenantId>/<event id>`, where the id is derived from the fact
 * (event-id.ts). Invariants:
 *
 * - **Never twice.** Recording is an insert of that `_id`: a retried step, a
 *   resend, a second node making the same decision all collide, and the
 *   collision means "already recorded" (the first record, its time and body,
 *   stays).
 * - **Never lost, never invented.** A step records its event right after it
 *   wrote the fact and before it reports success, and derives the id from
 *   what it wrote (not from the attempt): if the process dies in between, the
 *   step's retry finds the fact written, records the same event, and nothing
 *   else can. No event is published anywhere from here; delivery reads the
 *   feed (feed.ts) on its own time, so the fast path and the session
 *   workflow never wait on a receiver.
 * - **Order.** There is no per-tenant counter: FerretDB v1 has no
 *   transactions and no atomic `$inc` on SQLite (DESIGN.md §6), and one
 *   contended counter per tenant would serialise every chat message of a
 *   shop. Instead each event carries `at`, taken just before its insert, and
 *   the feed orders by (`at`, source, `_id`) — a total order — and serves an
 *   event only once it is older than a settle window (EVENT_SETTLE_MS, longer
 *   than an insert takes plus the clock skew between nodes), so no later
 *   insert can land before a position a reader has already passed.
 *   `message.created` is not written here at all: messages are already
 *   stored with their time, and the feed reads them from `messages` in the
 *   same order (feed.ts), so the chat's fast path writes nothing more.
 */

export interface NewEvent {
  tenantId: string;
  type: EventType;
  /** Names the fact, unique per (tenant, type): e.g. the ticket id, or `<ticket>:<assigned at ms>`. */
  key: string;
  data: Record<string, unknown>;
  /** The customer and session the event is about, if any: erasing the customer removes their events. */
  visitorId?: string;
  sessionId?: string;
}

/**
 * What the recording step already holds about the fact, handed on so that
 * a wrapper (reports/outbox.ts) does not read it again. Never stored.
 */
export interface RecordContext {
  /** The session as the step's projection write left it. */
  session?: SessionDoc;
  /** The agent as its status change left it. */
  agent?: AgentDoc;
}

export interface Outbox {
  /** Records the event unless it is recorded already; answers its id either way. */
  record(event: NewEvent, context?: RecordContext): Promise<string>;
}

export function eventOutbox(db: Db): Outbox {
  const { events } = collections(db);
  return {
    async record(event) {
      const id = eventId(event.tenantId, event.type, event.key);
      const doc: EventDoc = {
        _id: `${event.tenantId}/${id}`,
        tenantId: event.tenantId,
        id,
        type: event.type,
        at: new Date(),
        data: event.data,
        ...(event.visitorId ? { visitorId: event.visitorId } : {}),
        ...(event.sessionId ? { sessionId: event.sessionId } : {}),
      };
      try {
        await events.insertOne(doc);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      return id;
    },
  };
}
