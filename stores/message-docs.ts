import type { ChatMessage } from '../domain/message';
import type { MessageDoc } from './collections';
import type { Tip } from './seq-hints';

/**
 * A message's `_id` is its place in the session: `<tenant>/<session>/<seq>`
 * (ids never contain `/`). FerretDB v1 on SQLite answers a filter from an
 * index only when the filter is `_id` alone and scans the whole collection
 * for anything else, so every read of the chat's hot path is a lookup of one
 * such key, on MongoDB as well. The unique `_id` also decides numbering: two
 * writers can never both store seq n of one session.
 */
export const messageKey = (tenantId: string, sessionId: string, seq: number): string =>
  `${tenantId}/${sessionId}/${seq}`;

/** The key of a session within this process's maps. */
export const sessionKey = (tenantId: string, sessionId: string): string =>
  `${tenantId}/${sessionId}`;

/** A stored document as the message it is: the key and the running count stay inside. */
export const toMessage = ({
  _id,
  createdAt,
  visitorCount: _visitorCount,
  lastVisitorAt: _lastVisitorAt,
  lastAgentAt: _lastAgentAt,
  ...fields
}: MessageDoc): ChatMessage => ({
  ...fields,
  createdAt: createdAt.toISOString(),
});

/** What the next message's running values follow from. */
export const tipOf = (doc: MessageDoc): Tip => ({
  seq: doc.seq,
  visitorCount: doc.visitorCount,
  ...(doc.lastVisitorAt ? { lastVisitorAt: doc.lastVisitorAt } : {}),
  ...(doc.lastAgentAt ? { lastAgentAt: doc.lastAgentAt } : {}),
});
