import type { Db, Filter } from 'mongodb';
import type { DomainEvent, EventType } from '../domain/events';
import { collections, type EventDoc, type MessageDoc } from '../stores/collections';
import { toMessage } from '../stores/message-docs';
import { eventId } from './event-id';

/**
 * The event feed of a tenant: every recorded event (outbox.ts) and every
 * message (as `message.created`), in one total order — (time, source, id) —
 * paged by an opaque position. Webhook delivery walks the same feed, so a
 * subscription receives events in feed order.
 *
 * A position is served only once it is older than the settle window: an
 * insert that took its time just before a reader's "now" may land a moment
 * later, and must still come after every position handed out (see the
 * header of outbox.ts). Events older than the retention period are gone.
 */

/** Where a reader is: the last entry it has, or the start of the feed. */
export interface Position {
  at: number;
  /** `e`: the events collection; `m`: messages. Orders entries of the same millisecond. */
  source: 'e' | 'm';
  /** Events: the document's `_id`; messages: the session id (`seq` then orders within it). */
  id: string;
  seq?: number;
}

export interface FeedEntry {
  event: DomainEvent;
  /** The opaque position of this entry: read `after` it for what follows. */
  position: string;
}

export interface FeedOptions {
  settleMs: number;
  retentionDays: number;
}

export interface FeedQuery {
  /** An opaque position (from an entry or a page); absent: from the start of what is kept. */
  after?: string;
  /** Only these types; absent or empty: all. */
  types?: readonly EventType[];
  limit: number;
}

export const encodePosition = (p: Position): string =>
  Buffer.from(
    JSON.stringify(p.seq === undefined ? [p.at, p.source, p.id] : [p.at, p.source, p.id, p.seq]),
  ).toString('base64url');

/** The position a string names, or undefined when it is not one this feed handed out. */
export function decodePosition(value: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(value)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length < 3 || parsed.length > 4) return undefined;
    const [at, source, id, seq] = parsed as unknown[];
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) return undefined;
    if (source !== 'e' && source !== 'm') return undefined;
    if (typeof id !== 'string' || id.length === 0) return undefined;
    if (source === 'e') return parsed.length === 3 ? { at, source, id } : undefined;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
    return { at, source, id, seq };
  } catch {
    return undefined;
  }
}

/** The position just before everything recorded from `time` on: a new subscription starts here. */
export const positionAt = (time: Date): string =>
  encodePosition({ at: time.getTime() - 1, source: 'm', id: '\uffff', seq: 0 });

const order = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
const compare = (a: Position, b: Position) =>
  a.at - b.at || order(a.source, b.source) || order(a.id, b.id) || order(a.seq ?? 0, b.seq ?? 0);

/** Entries of the cursor's own source and millisecond that come after it. */
const sameInstantAfter = (cursor: Position): Record<string, unknown> =>
  cursor.source === 'e'
    ? { _id: { $gt: cursor.id } }
    : {
        $or: [
          { sessionId: { $gt: cursor.id } },
          { sessionId: cursor.id, seq: { $gt: cursor.seq ?? 0 } },
        ],
      };

/** The filter for entries of `source` strictly after `after`, between `from` and `until`. */
function after(
  source: Position['source'],
  field: 'at' | 'createdAt',
  cursor: Position | undefined,
  from: Date,
  until: Date,
): Record<string, unknown> {
  const window = { [field]: { $gte: from, $lte: until } };
  if (!cursor) return window;
  const at = new Date(cursor.at);
  const later =
    source < cursor.source
      ? { [field]: { $gt: at } }
      : source > cursor.source
        ? { [field]: { $gte: at } }
        : { $or: [{ [field]: { $gt: at } }, { [field]: at, ...sameInstantAfter(cursor) }] };
  return { $and: [window, later] };
}

export function eventFeed(db: Db, options: FeedOptions) {
  const { events, messages } = collections(db);

  const fromEvent = (doc: EventDoc): FeedEntry => ({
    event: {
      id: doc.id,
      type: doc.type,
      tenantId: doc.tenantId,
      occurredAt: doc.at.toISOString(),
      data: doc.data,
    },
    position: encodePosition({ at: doc.at.getTime(), source: 'e', id: doc._id }),
  });

  const fromMessage = (doc: MessageDoc): FeedEntry => {
    const message = toMessage(doc);
    return {
      event: {
        id: eventId(doc.tenantId, 'message.created', `${doc.sessionId}/${doc.messageId}`),
        type: 'message.created',
        tenantId: doc.tenantId,
        occurredAt: message.createdAt,
        data: { ...message },
      },
      position: encodePosition({
        at: doc.createdAt.getTime(),
        source: 'm',
        id: doc.sessionId,
        seq: doc.seq,
      }),
    };
  };

  return {
    /** How long events are kept, for the feed's readers. */
    retentionDays: options.retentionDays,

    /**
     * Up to `limit` entries after `query.after`, in feed order, and the
     * position to read after next (the last entry's, or `after` itself when
     * nothing new has settled).
     */
    async read(
      tenantId: string,
      query: FeedQuery,
      now: Date = new Date(),
    ): Promise<{ entries: FeedEntry[]; next: string | undefined }> {
      const cursor = query.after === undefined ? undefined : decodePosition(query.after);
      const until = new Date(now.getTime() - options.settleMs);
      const from = new Date(now.getTime() - options.retentionDays * 86_400_000);
      const types = query.types?.length ? query.types : undefined;
      const wantMessages = !types || types.includes('message.created');
      const otherTypes = types?.filter((type) => type !== 'message.created');
      const wantEvents = !otherTypes || otherTypes.length > 0;
      const [recorded, posted] = await Promise.all([
        wantEvents
          ? events
              .find({
                tenantId,
                ...(otherTypes ? { type: { $in: otherTypes } } : {}),
                ...after('e', 'at', cursor, from, until),
              } as Filter<EventDoc>)
              .sort({ at: 1, _id: 1 })
              .limit(query.limit)
              .toArray()
          : [],
        wantMessages
          ? messages
              .find({
                tenantId,
                ...after('m', 'createdAt', cursor, from, until),
              } as Filter<MessageDoc>)
              .sort({ createdAt: 1, sessionId: 1, seq: 1 })
              .limit(query.limit)
              .toArray()
          : [],
      ]);
      const entries = [...recorded.map(fromEvent), ...posted.map(fromMessage)]
        .map((entry) => ({ entry, at: decodePosition(entry.position) }))
        .filter((e): e is { entry: FeedEntry; at: Position } => e.at !== undefined)
        .sort((a, b) => compare(a.at, b.at))
        .slice(0, query.limit)
        .map((e) => e.entry);
      return { entries, next: entries.at(-1)?.position ?? query.after };
    },
  };
}

export type EventFeed = ReturnType<typeof eventFeed>;
