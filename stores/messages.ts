import type { Db } from 'mongodb';
import type { ChatMessage, NewMessage, SenderType } from '../domain/message';
import { collections, type MessageDoc } from './collections';
import { lru } from './lru';
import { messageAppender, type AppendLookups } from './message-appender';
import { messageKey, sessionKey } from './message-keys';
import { seqHints, type SeqHints } from './seq-hints';
import { lastStoredSeq } from './seq-probe';

export type { AppendResult } from './message-appender';

const toMessage = ({ _id, createdAt, ...fields }: MessageDoc): ChatMessage => ({
  ...fields,
  createdAt: createdAt.toISOString(),
});

/** Lookups of single keys run this many at a time when a read needs several. */
const PARALLEL_LOOKUPS = 16;
/** An unread count looks back at most this far; a badge says "99+" long before. */
export const UNREAD_LOOKBACK = 200;

/**
 * Messages in MongoDB, keyed by their place in the session (see
 * message-keys.ts). Numbering is decided by MongoDB alone: the unique key
 * `<tenant>/<session>/<seq>` lets one writer store each seq, and the unique
 * (session, message id) index turns a resend into a collision that is then
 * answered with the original. No counter is advanced anywhere, so a writer
 * that dies half-way leaves no gap, and nothing relies on an atomic `$inc`,
 * which FerretDB on SQLite does not provide (DESIGN.md §6).
 */
export function messageStore(db: Db, hints: SeqHints = seqHints()) {
  const { messages } = collections(db);
  // Resends mostly come back to the process that stored the original (a retry on the same
  // socket): answered from memory, they cost no query.
  const recent = lru<ChatMessage>(5_000);
  const recentKey = (tenantId: string, sessionId: string, messageId: string) =>
    `${sessionKey(tenantId, sessionId)}/${messageId}`;

  const at = async (tenantId: string, sessionId: string, seq: number) => {
    const doc = await messages.findOne({ _id: messageKey(tenantId, sessionId, seq) });
    return doc ? toMessage(doc) : undefined;
  };

  const isStored = async (tenantId: string, sessionId: string, seq: number) =>
    (await messages.findOne(
      { _id: messageKey(tenantId, sessionId, seq) },
      { projection: { _id: 1 } },
    )) !== null;

  const lastSeq = async (tenantId: string, sessionId: string, lowerBound: number) =>
    lastStoredSeq((seq) => isStored(tenantId, sessionId, seq), lowerBound);

  /** The last seq, starting from what this process knows; remembered for the next append. */
  const currentLastSeq = async (tenantId: string, sessionId: string) => {
    const key = sessionKey(tenantId, sessionId);
    const last = await lastSeq(tenantId, sessionId, hints.get(key) ?? 0);
    if (last > 0) hints.set(key, last);
    return last;
  };

  const byMessageId = async (tenantId: string, sessionId: string, messageId: string) => {
    const known = recent.get(recentKey(tenantId, sessionId, messageId));
    if (known) return known;
    // Not by key: this one scans on FerretDB. Only a resend that reaches another process,
    // or a rate-limited retry, asks it.
    const doc = await messages.findOne({ tenantId, sessionId, messageId });
    return doc ? toMessage(doc) : undefined;
  };

  /** Messages at `seqs` (ascending), up to the first that is not stored. */
  const run = async (tenantId: string, sessionId: string, seqs: number[]) => {
    const found: ChatMessage[] = [];
    for (let start = 0; start < seqs.length; start += PARALLEL_LOOKUPS) {
      const chunk = seqs.slice(start, start + PARALLEL_LOOKUPS);
      const docs = await Promise.all(chunk.map((seq) => at(tenantId, sessionId, seq)));
      for (const doc of docs) {
        if (!doc) return found;
        found.push(doc);
      }
    }
    return found;
  };

  const lookups: AppendLookups = {
    at,
    byMessageId,
    lastSeq,
    remember: (message) =>
      recent.set(recentKey(message.tenantId, message.sessionId, message.messageId), message),
  };
  const appender = messageAppender(messages, lookups, hints);

  return {
    /** A stored message by its id, if any. */
    find: byMessageId,

    /** Stores the message with the next seq of its session, or finds it stored already. */
    append: (message: NewMessage) => appender.append(message),

    /** The latest message of the session, if any. */
    async last(tenantId: string, sessionId: string): Promise<ChatMessage | undefined> {
      const seq = await currentLastSeq(tenantId, sessionId);
      return seq > 0 ? at(tenantId, sessionId, seq) : undefined;
    },

    /**
     * How many messages of `senderType` follow `afterSeq`: an unread count,
     * looking back at most UNREAD_LOOKBACK messages.
     */
    async countAfter(
      tenantId: string,
      sessionId: string,
      afterSeq: number,
      senderType: SenderType,
    ): Promise<number> {
      const last = await currentLastSeq(tenantId, sessionId);
      const from = Math.max(afterSeq, last - UNREAD_LOOKBACK) + 1;
      const seqs = Array.from({ length: Math.max(0, last - from + 1) }, (_, i) => from + i);
      const found = await run(tenantId, sessionId, seqs);
      return found.filter((message) => message.sender.type === senderType).length;
    },

    /** Messages after `afterSeq`, in order, at most `limit`. */
    async listAfter(
      tenantId: string,
      sessionId: string,
      afterSeq: number,
      limit: number,
    ): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
      const seqs = Array.from({ length: limit + 1 }, (_, i) => afterSeq + 1 + i);
      const found = await run(tenantId, sessionId, seqs);
      return { messages: found.slice(0, limit), hasMore: found.length > limit };
    },
  };
}

export type MessageStore = ReturnType<typeof messageStore>;
