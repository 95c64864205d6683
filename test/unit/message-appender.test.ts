import type { Collection } from 'mongodb';
import type { ChatMessage, NewMessage } from '../../domain/message';
import type { MessageDoc } from '../../stores/collections';
import { messageAppender, type AppendLookups } from '../../stores/message-appender';
import { toMessage } from '../../stores/message-docs';
import { seqHints } from '../../stores/seq-hints';

/** An in-memory stand-in for the collection's insertMany: unique `_id`, ordered semantics. */
function fakeMessages() {
  const stored = new Map<string, MessageDoc>();
  const batches: number[] = [];
  const insertMany = async (docs: MessageDoc[]) => {
    batches.push(docs.length);
    // Resolve on a later tick, so appends made meanwhile gather into the next batch.
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const doc of docs) {
      if (stored.has(doc._id)) throw new Error(`unexpected duplicate ${doc._id}`);
      stored.set(doc._id, doc);
    }
  };
  const lookups: AppendLookups = {
    at: (_t, _s, seq) =>
      Promise.resolve([...stored.values()].map(toMessage).find((m) => m.seq === seq)),
    byMessageId: () => Promise.resolve(undefined),
    tip: () => Promise.resolve({ seq: 0, visitorCount: 0 }),
    remember: (_message: ChatMessage) => undefined,
  };
  return {
    stored,
    batches,
    lookups,
    collection: { insertMany } as unknown as Pick<Collection<MessageDoc>, 'insertMany'>,
  };
}

const text = (sessionId: string, messageId: string): NewMessage => ({
  tenantId: 't',
  sessionId,
  messageId,
  kind: 'text',
  sender: { type: 'visitor', id: 'v' },
  text: messageId,
});

describe('message appender batches', () => {
  it('when one message is appended to an idle appender, then it goes alone, at once', async () => {
    const fake = fakeMessages();
    const appender = messageAppender(fake.collection, fake.lookups, seqHints());
    expect((await appender.append(text('s1', 'm1'))).message.seq).toBe(1);
    expect(fake.batches).toEqual([1]);
  });

  it('when 100 messages over 10 sessions arrive while one insert is in flight, then they gather into batches of at most 64, each message once, every session numbered 1..n', async () => {
    const fake = fakeMessages();
    const appender = messageAppender(fake.collection, fake.lookups, seqHints());
    const first = appender.append(text('s0', 'first'));
    const rest = Array.from({ length: 100 }, (_, i) =>
      appender.append(text(`s${i % 10}`, `m${i}`)),
    );
    await Promise.all([first, ...rest]);
    // Group commit: a few inserts of at most 64 documents, not one per message.
    expect(fake.batches.length).toBeLessThanOrEqual(3);
    expect(Math.max(...fake.batches)).toBeLessThanOrEqual(64);
    expect(fake.batches.reduce((a, b) => a + b)).toBe(101);
    expect(fake.stored.size).toBe(101);
    for (let s = 0; s < 10; s++) {
      const seqs = [...fake.stored.values()]
        .filter((doc) => doc.sessionId === `s${s}`)
        .map((doc) => doc.seq)
        .sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  });
});
