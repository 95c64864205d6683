import type { Db } from 'mongodb';
import type { ChatMessage, NewMessage } from '../domain/message';
import { collections } from './collections';
import { lru } from './lru';
import { messageAppender, type AppendLookups } from './message-appender';
import { messageKey, sessionKey, tipOf, toMessage } from './message-docs';
import { seqHints, type SeqHints, type Tip } from './seq-hints';
import { lastStoredSeq } from './seq-probe';

export type { AppendResult } from './message-appender';

/** Lookups of single keys run this many at a time when a read needs several. */
const PARALLEL_LOOKUPS = 16;

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

  const docAt = (tenantId: string, sessionId: string, seq: number) =>
    messages.findOne({ _id: messageKey(tenantId, sessionId, seq) });

  const at = async (tenantId: string, sessionId: string, seq: number) => {
    const doc = await docAt(tenantId, sessionId, seq);
    return doc ? toMessage(doc) : undefined;
  };

  const isStored = async (tenantId: string, sessionId: string, seq: number) =>
    (await messages.findOne(
      { _id: messageKey(tenantId, sessionId, seq) },
      { projection: { _id: 1 } },
    )) !== null;

  /** Shopper messages up to `seq`, as the message at `seq` counted them. */
  const visitorCountAt = async (tenantId: string, sessionId: string, seq: number) =>
    seq > 0
      ? ((
          await messages.findOne(
            { _id: messageKey(tenantId, sessionId, seq) },
            { projection: { visitorCount: 1 } },
          )
        )?.visitorCount ?? 0)
      : 0;

  /** The running values as of `seq` (nothing before the first message). */
  const tipAt = async (tenantId: string, sessionId: string, seq: number): Promise<Tip> => {
    const doc = seq > 0 ? await docAt(tenantId, sessionId, seq) : null;
    return doc ? tipOf(doc) : { seq, visitorCount: 0 };
  };

  const tip = async (tenantId: string, sessionId: string, lowerBound: number): Promise<Tip> =>
    tipAt(
      tenantId,
      sessionId,
      await lastStoredSeq((s) => isStored(tenantId, sessionId, s), lowerBound),
    );

  /** The session's last message, found from what this process knows; kept for the next append. */
  const lastDoc = async (tenantId: string, sessionId: string) => {
    const key = sessionKey(tenantId, sessionId);
    const from = hints.get(key)?.seq ?? 0;
    const seq = await lastStoredSeq((s) => isStored(tenantId, sessionId, s), from);
    const doc = seq > 0 ? await docAt(tenantId, sessionId, seq) : null;
    if (doc) hints.set(key, tipOf(doc));
    return doc;
  };

  const byMessageId = async (tenantId: string, sessionId: string, messageId: string) => {
    const known = recent.get(recentKey(tenantId, sessionId, messageId));
    if (known) return known;
    // Not by key: this one scans on FerretDB. Only a resend that reaches another process,
    // or a rate-limited retry, asks it.
    const doc = await messages.findOne({ tenantId, sessionId, messageId });
    return doc ? toMessage(doc) : undefined;
  };

  /**
   * Messages at `seqs` (ascending), up to the first that is not stored, in
   * rounds of PARALLEL_LOOKUPS. With `rampUp` the rounds grow 1, 2, 4, … to
   * that: for seqs that may not exist yet, so a client syncing from the end,
   * the common case, costs one lookup, not a round of misses.
   */
  const run = async (
    tenantId: string,
    sessionId: string,
    seqs: number[],
    { rampUp }: { rampUp: boolean },
  ) => {
    const found: ChatMessage[] = [];
    for (
      let start = 0, size = rampUp ? 1 : PARALLEL_LOOKUPS;
      start < seqs.length;
      start += size, size = Math.min(2 * size, PARALLEL_LOOKUPS)
    ) {
      const chunk = seqs.slice(start, start + size);
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
    tip,
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
      const doc = await lastDoc(tenantId, sessionId);
      return doc ? toMessage(doc) : undefined;
    },

    /**
     * The latest message and how many shopper messages follow `readSeq` (an
     * agent's unread count): what a session-list line shows, in a few key
     * lookups whatever the backlog, since each message counts the shopper's
     * messages up to itself.
     */
    async glance(tenantId: string, sessionId: string, readSeq: number) {
      const doc = await lastDoc(tenantId, sessionId);
      if (!doc) return { last: undefined, unreadFromVisitor: 0 };
      const unreadFromVisitor =
        doc.seq > readSeq
          ? doc.visitorCount - (await visitorCountAt(tenantId, sessionId, readSeq))
          : 0;
      return { last: toMessage(doc), unreadFromVisitor };
    },

    /**
     * When the shopper and an agent last wrote (epoch ms), as the session's
     * last message records it: what the workflow's deadline timers re-check.
     */
    async lastActivity(tenantId: string, sessionId: string) {
      const doc = await lastDoc(tenantId, sessionId);
      return {
        visitorAt: doc?.lastVisitorAt?.getTime() ?? null,
        agentAt: doc?.lastAgentAt?.getTime() ?? null,
      };
    },

    /** Messages after `afterSeq`, in order, at most `limit`. */
    async listAfter(
      tenantId: string,
      sessionId: string,
      afterSeq: number,
      limit: number,
    ): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
      const seqs = Array.from({ length: limit + 1 }, (_, i) => afterSeq + 1 + i);
      const found = await run(tenantId, sessionId, seqs, { rampUp: true });
      return { messages: found.slice(0, limit), hasMore: found.length > limit };
    },

    /**
     * The latest `limit` messages before `beforeSeq`, in order: paging back
     * through history. `hasMore` says whether older ones remain.
     */
    async listBefore(
      tenantId: string,
      sessionId: string,
      beforeSeq: number,
      limit: number,
    ): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
      // Seqs are gapless: the page is the `limit` seqs below `beforeSeq` (or below the end).
      const end = Math.min(beforeSeq, ((await lastDoc(tenantId, sessionId))?.seq ?? 0) + 1);
      const from = Math.max(1, end - limit);
      const seqs = Array.from({ length: end - from }, (_, i) => from + i);
      return {
        messages: await run(tenantId, sessionId, seqs, { rampUp: false }),
        hasMore: from > 1,
      };
    },
  };
}

export type MessageStore = ReturnType<typeof messageStore>;
