import type { Db } from 'mongodb';
import type { ChatMessage, NewMessage, SenderType } from '../domain/message';
import { collections, type MessageDoc } from './collections';
import { keyedQueue } from './keyed-queue';
import { isDuplicateKey } from './mongo-errors';
import { seqHints, type SeqHints } from './seq-hints';

/** Reads use a projection without `_id`, so a stored document is a message but for the date. */
function toMessage({ createdAt, ...fields }: MessageDoc): ChatMessage {
  return { ...fields, createdAt: createdAt.toISOString() };
}

const withoutId = { projection: { _id: 0 } } as const;

export interface AppendResult {
  message: ChatMessage;
  /** False when the message id was already stored: the original is returned. */
  created: boolean;
}

/**
 * Messages in MongoDB. Numbering is decided by MongoDB alone: the next seq is
 * the stored maximum plus one, and the unique (session, seq) index rejects a
 * concurrent writer, who retries. That keeps seq gapless even if a writer dies
 * half-way (no counter was advanced), and needs no atomic `$inc`, which
 * FerretDB on SQLite does not provide (DESIGN.md §6). The maximum is read
 * only when this process has no hint for the session or its hint lost a race.
 */
export function messageStore(db: Db, hints: SeqHints = seqHints()) {
  const { messages } = collections(db);
  const inTurn = keyedQueue();

  const findByMessageId = (tenantId: string, sessionId: string, messageId: string) =>
    messages.findOne({ tenantId, sessionId, messageId }, withoutId);

  const lastSeq = async (tenantId: string, sessionId: string): Promise<number> => {
    const [last] = await messages
      .find({ tenantId, sessionId }, { projection: { seq: 1 } })
      .sort({ seq: -1 })
      .limit(1)
      .toArray();
    return last?.seq ?? 0;
  };

  const appendNow = async (key: string, message: NewMessage): Promise<AppendResult> => {
    const { tenantId, sessionId, messageId } = message;
    for (let attempt = 0; attempt < 50; attempt++) {
      // Insert first: in the common case (a new message, a current hint) that is the only query.
      const seq = (hints.get(key) ?? (await lastSeq(tenantId, sessionId))) + 1;
      const doc: MessageDoc = { ...message, seq, createdAt: new Date() };
      try {
        await messages.insertOne({ ...doc });
        hints.set(key, seq);
        return { message: toMessage(doc), created: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      // Either this message id is stored already (a resend: answer with the original), or
      // another writer took the seq: the hint was stale, so read the stored maximum again.
      const existing = await findByMessageId(tenantId, sessionId, messageId);
      if (existing) return { message: toMessage(existing), created: false };
      hints.forget(key);
    }
    throw new Error(`could not number a message of session ${sessionId} after 50 attempts`);
  };

  return {
    /** A stored message by its id, if any. */
    async find(tenantId: string, sessionId: string, messageId: string) {
      const doc = await findByMessageId(tenantId, sessionId, messageId);
      return doc ? toMessage(doc) : undefined;
    },

    append(message: NewMessage): Promise<AppendResult> {
      const key = `${message.tenantId}\u0000${message.sessionId}`;
      // Concurrent appends to one session would all read the same maximum, and each round of
      // inserts would let one win and send the rest round again: queued, they never collide
      // within a process. Other processes still meet at the unique index.
      return inTurn(key, () => appendNow(key, message));
    },

    /** The latest message of the session, if any. */
    async last(tenantId: string, sessionId: string): Promise<ChatMessage | undefined> {
      const [doc] = await messages
        .find({ tenantId, sessionId }, withoutId)
        .sort({ seq: -1 })
        .limit(1)
        .toArray();
      return doc ? toMessage(doc) : undefined;
    },

    /** How many messages of `senderType` follow `afterSeq`: an unread count. */
    async countAfter(
      tenantId: string,
      sessionId: string,
      afterSeq: number,
      senderType: SenderType,
    ): Promise<number> {
      return messages.countDocuments({
        tenantId,
        sessionId,
        seq: { $gt: afterSeq },
        'sender.type': senderType,
      });
    },

    /** Messages after `afterSeq`, in order, at most `limit`. */
    async listAfter(
      tenantId: string,
      sessionId: string,
      afterSeq: number,
      limit: number,
    ): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
      const docs = await messages
        .find({ tenantId, sessionId, seq: { $gt: afterSeq } }, withoutId)
        .sort({ seq: 1 })
        .limit(limit + 1)
        .toArray();
      return { messages: docs.slice(0, limit).map(toMessage), hasMore: docs.length > limit };
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
      const docs = await messages
        .find({ tenantId, sessionId, seq: { $lt: beforeSeq } }, withoutId)
        .sort({ seq: -1 })
        .limit(limit + 1)
        .toArray();
      return {
        messages: docs.slice(0, limit).reverse().map(toMessage),
        hasMore: docs.length > limit,
      };
    },
  };
}

export type MessageStore = ReturnType<typeof messageStore>;
