import { MongoBulkWriteError, type Collection, type WriteError } from 'mongodb';
import type { ChatMessage, NewMessage } from '../domain/message';
import type { MessageDoc } from './collections';
import { messageKey, sessionKey, tipOf, toMessage } from './message-docs';
import type { SeqHints, Tip } from './seq-hints';

export interface AppendResult {
  message: ChatMessage;
  /** False when the message id was already stored: the original is returned. */
  created: boolean;
}

/** What the appender asks of the read side. */
export interface AppendLookups {
  /** The stored message at `seq`, by its key. */
  at(tenantId: string, sessionId: string, seq: number): Promise<ChatMessage | undefined>;
  /** The stored message with this id, if any (a resend's original). */
  byMessageId(
    tenantId: string,
    sessionId: string,
    messageId: string,
  ): Promise<ChatMessage | undefined>;
  /** The session's last stored message, searched from a known-stored lower bound. */
  tip(tenantId: string, sessionId: string, lowerBound: number): Promise<Tip>;
  /** Remembers a stored message so a resend from this process needs no query. */
  remember(message: ChatMessage): void;
}

interface Pending {
  message: NewMessage;
  collisions: number;
  done: boolean;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

interface Line {
  tenantId: string;
  sessionId: string;
  pending: Pending[];
  /** The hint is missing or known stale: find the session's end before numbering. */
  probe: boolean;
}

interface Slot {
  line: Line;
  pending: Pending;
  doc: MessageDoc;
}

// FerretDB inserts in chunks of 100 documents (its --batch-size) and keeps ordered semantics
// only within a chunk, so a batch stays below one chunk.
const MAX_BATCH = 64;
const MAX_COLLISIONS = 50;

/**
 * Group commit for messages. Appends queue per session; while one insert is
 * in flight, the next ones gather, and all of them go to MongoDB as one
 * ordered `insertMany` — on FerretDB/SQLite one transaction instead of one
 * per message, which is where its write throughput comes from. An idle
 * engine pays no wait: a lone append is sent at once.
 *
 * Numbering: seqs are given when a batch is built (hint + 1, + 2, … per
 * session), never earlier, so a message that fails — another writer took its
 * seq, or it is a resend — is renumbered in the next batch with everything
 * after it. Ordered inserts stop at the first failure, so nothing after a
 * failed seq of the same session is ever stored: no gap.
 */
export function messageAppender(
  messages: Pick<Collection<MessageDoc>, 'insertMany'>,
  lookups: AppendLookups,
  hints: SeqHints,
) {
  const lines = new Map<string, Line>();
  let running = false;

  function takeBatch(): Line[] {
    const taken: Line[] = [];
    let room = MAX_BATCH;
    // A copy: served lines move to the back of the map, which iterating the map itself
    // would then visit again.
    for (const line of [...lines.values()]) {
      if (room === 0) break;
      taken.push(line);
      room -= Math.min(room, line.pending.length);
    }
    // Served lines go to the back, so a busy session cannot starve the others.
    for (const line of taken) {
      const key = sessionKey(line.tenantId, line.sessionId);
      lines.delete(key);
      lines.set(key, line);
    }
    return taken;
  }

  async function number(taken: Line[]): Promise<Slot[]> {
    await Promise.all(
      taken.map(async (line) => {
        const key = sessionKey(line.tenantId, line.sessionId);
        if (!line.probe && hints.get(key) !== undefined) return;
        const lowerBound = hints.get(key)?.seq ?? 0;
        hints.set(key, await lookups.tip(line.tenantId, line.sessionId, lowerBound));
        line.probe = false;
      }),
    );
    const slots: Slot[] = [];
    for (const line of taken) {
      const tip = hints.get(sessionKey(line.tenantId, line.sessionId)) ?? {
        seq: 0,
        visitorCount: 0,
      };
      // Running values follow from the message before, which is stored or in this batch
      // before it, so a stored one is exact; a stale tip collides like a stale seq.
      let running: Tip = tip;
      const room = MAX_BATCH - slots.length;
      line.pending.slice(0, room).forEach((pending) => {
        const createdAt = new Date();
        const { type } = pending.message.sender;
        running = {
          ...running,
          seq: running.seq + 1,
          ...(type === 'visitor'
            ? { visitorCount: running.visitorCount + 1, lastVisitorAt: createdAt }
            : {}),
          ...(type === 'agent' ? { lastAgentAt: createdAt } : {}),
        };
        const doc: MessageDoc = {
          ...pending.message,
          ...running,
          _id: messageKey(line.tenantId, line.sessionId, running.seq),
          createdAt,
        };
        slots.push({ line, pending, doc });
      });
    }
    return slots;
  }

  function settle(pending: Pending, result: AppendResult): void {
    pending.done = true;
    pending.resolve(result);
  }

  function fail(pending: Pending, error: unknown): void {
    pending.done = true;
    pending.reject(error);
  }

  /** Why the insert of `slot` collided, and what becomes of its message. */
  async function resolveCollision({ line, pending, doc }: Slot): Promise<void> {
    const { tenantId, sessionId } = line;
    const atSeq = await lookups.at(tenantId, sessionId, doc.seq);
    if (atSeq?.messageId === doc.messageId) {
      // Ours after all: an earlier attempt was stored but its answer was lost.
      settle(pending, { message: atSeq, created: false });
      return;
    }
    if (!atSeq) {
      // The seq is free, so the message id collided: a resend of a stored message.
      const original = await lookups.byMessageId(tenantId, sessionId, doc.messageId);
      if (original) {
        settle(pending, { message: original, created: false });
        return;
      }
    }
    // Another writer took the seq: number again after the session's real end.
    line.probe = true;
    pending.collisions += 1;
    if (pending.collisions >= MAX_COLLISIONS) {
      fail(pending, new Error(`could not number a message of session ${sessionId}`));
    }
  }

  async function insert(slots: Slot[]): Promise<void> {
    try {
      await messages.insertMany(
        slots.map((slot) => ({ ...slot.doc })),
        { ordered: true },
      );
      stored(slots);
      return;
    } catch (error) {
      const firstError = error instanceof MongoBulkWriteError ? firstWriteError(error) : undefined;
      if (!firstError) {
        // Nothing is known of what was stored: the senders retry, and a retry of a stored
        // message is answered as a resend.
        for (const slot of slots) {
          slot.line.probe = true;
          fail(slot.pending, error);
        }
        return;
      }
      stored(slots.slice(0, firstError.index));
      const failed = slots[firstError.index];
      if (!failed) {
        // An error index outside the batch: nothing is known, as above.
        for (const slot of slots.slice(firstError.index)) {
          slot.line.probe = true;
          fail(slot.pending, error);
        }
        return;
      }
      if (firstError.code === 11000) await resolveCollision(failed);
      else fail(failed.pending, error);
    }
  }

  function stored(slots: Slot[]): void {
    for (const { line, pending, doc } of slots) {
      const message = toMessage(doc);
      hints.set(sessionKey(line.tenantId, line.sessionId), tipOf(doc));
      lookups.remember(message);
      settle(pending, { message, created: true });
    }
  }

  async function round(): Promise<void> {
    const taken = takeBatch();
    let slots: Slot[] = [];
    try {
      slots = await number(taken);
      await insert(slots);
    } catch (error) {
      // A lookup failed (e.g. the connection): this round's messages fail, others go on.
      for (const line of taken) line.probe = true;
      for (const slot of slots.length ? slots : taken.flatMap(firstOf)) {
        if (!slot.pending.done) fail(slot.pending, error);
      }
    }
    for (const line of taken) {
      line.pending = line.pending.filter((pending) => !pending.done);
      if (!line.pending.length) lines.delete(sessionKey(line.tenantId, line.sessionId));
    }
  }

  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (lines.size) await round();
    } finally {
      running = false;
    }
  }

  return {
    append(message: NewMessage): Promise<AppendResult> {
      const key = sessionKey(message.tenantId, message.sessionId);
      return new Promise<AppendResult>((resolve, reject) => {
        const line = lines.get(key) ?? {
          tenantId: message.tenantId,
          sessionId: message.sessionId,
          pending: [],
          probe: false,
        };
        line.pending.push({ message, collisions: 0, done: false, resolve, reject });
        lines.set(key, line);
        // round() settles every message it takes, so drain() has nothing to reject with.
        void drain();
      });
    },
  };
}

/** The pending messages of a line that a failed round had taken, before any was numbered. */
function firstOf(line: Line): { pending: Pending }[] {
  return line.pending.slice(0, MAX_BATCH).map((pending) => ({ pending }));
}

function firstWriteError(error: MongoBulkWriteError): { index: number; code: number } | undefined {
  // One error or several, depending on the driver's path: flattened either way.
  const writeErrors = ([] as WriteError[]).concat(error.writeErrors);
  let first: { index: number; code: number } | undefined;
  for (const writeError of writeErrors) {
    if (!first || writeError.index < first.index) {
      first = { index: writeError.index, code: writeError.code };
    }
  }
  return first;
}
