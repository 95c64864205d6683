import type { ChatMessage } from '../domain/message';
import type { MessageDoc } from './collections';

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
  ...fields
}: MessageDoc): ChatMessage => ({
  ...fields,
  createdAt: createdAt.toISOString(),
});
