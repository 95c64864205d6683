import { closeMongo } from '../support/mongo';
import { connectMongo, type MongoHandle } from '../../runtime/connections';
import { ensureIndexes } from '../../stores/indexes';
import { messageStore } from '../../stores/messages';
import { testStack, uniqueDatabase, uniqueId } from '../support/stack';

/** Message numbering on the real FerretDB, with writers on separate connections. */
describe('message store', () => {
  const database = uniqueDatabase();
  let a: MongoHandle;
  let b: MongoHandle;

  beforeAll(async () => {
    a = await connectMongo(testStack.mongodbUrl, database);
    b = await connectMongo(testStack.mongodbUrl, database);
    await ensureIndexes(a.db);
  });
  afterAll(async () => {
    await closeMongo(a, { drop: true });
    await closeMongo(b);
  });

  const text = (tenantId: string, sessionId: string, messageId: string) => ({
    tenantId,
    sessionId,
    messageId,
    kind: 'text' as const,
    sender: { type: 'visitor' as const, id: 'v1' },
    text: messageId,
  });

  it('when two connections append 40 messages at once, then seqs are 1..40, each once', async () => {
    const tenantId = uniqueId('tenant');
    const sessionId = uniqueId('session');
    const stores = [messageStore(a.db), messageStore(b.db)];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        stores[i % 2]!.append(text(tenantId, sessionId, `m${i}`)),
      ),
    );
    expect(results.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const { messages } = await stores[0]!.listAfter(tenantId, sessionId, 0, 100);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('when the same message id is sent five times at once, then one message is stored and every answer has its seq', async () => {
    const tenantId = uniqueId('tenant');
    const sessionId = uniqueId('session');
    const stores = [messageStore(a.db), messageStore(b.db)];
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => stores[i % 2]!.append(text(tenantId, sessionId, 'same'))),
    );
    expect(new Set(results.map((r) => r.message.seq))).toEqual(new Set([1]));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await stores[0]!.listAfter(tenantId, sessionId, 0, 10)).messages).toHaveLength(1);
  });

  it('when reading after a seq with a limit, then pages are in order and say whether more follow', async () => {
    const tenantId = uniqueId('tenant');
    const sessionId = uniqueId('session');
    const store = messageStore(a.db);
    for (let i = 0; i < 5; i++) await store.append(text(tenantId, sessionId, `m${i}`));
    const first = await store.listAfter(tenantId, sessionId, 0, 2);
    expect(first.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(first.hasMore).toBe(true);
    const last = await store.listAfter(tenantId, sessionId, 4, 2);
    expect(last.messages.map((m) => m.seq)).toEqual([5]);
    expect(last.hasMore).toBe(false);
  });

  it('when another tenant asks for the same session id, then it sees nothing', async () => {
    const sessionId = uniqueId('session');
    const store = messageStore(a.db);
    await store.append(text(uniqueId('tenant'), sessionId, 'private'));
    expect((await store.listAfter(uniqueId('other'), sessionId, 0, 10)).messages).toEqual([]);
  });
  it('when another writer numbered messages since this store last appended, then its stale seq hint still yields gapless seqs', async () => {
    const tenantId = uniqueId('tenant');
    const sessionId = uniqueId('session');
    // Two processes' stores: each keeps its own hint of the session's last seq.
    const [first, second] = [messageStore(a.db), messageStore(b.db)];
    for (let i = 0; i < 3; i++) await first.append(text(tenantId, sessionId, `a${i}`));
    for (let i = 0; i < 2; i++) await second.append(text(tenantId, sessionId, `b${i}`));
    // `first` still believes the last seq is 3: its insert at 4 collides, and it re-reads.
    expect((await first.append(text(tenantId, sessionId, 'a3'))).message.seq).toBe(6);
    expect((await second.append(text(tenantId, sessionId, 'b2'))).message.seq).toBe(7);
    const interleaved = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? first : second).append(text(tenantId, sessionId, `c${i}`)),
      ),
    );
    expect(interleaved.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 8),
    );
    const { messages } = await first.listAfter(tenantId, sessionId, 0, 100);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
  });

  it('when a message is resent after later ones, then the original seq comes back and nothing is stored', async () => {
    const tenantId = uniqueId('tenant');
    const sessionId = uniqueId('session');
    const store = messageStore(a.db);
    await store.append(text(tenantId, sessionId, 'm0'));
    await store.append(text(tenantId, sessionId, 'm1'));
    const again = await store.append(text(tenantId, sessionId, 'm0'));
    expect(again).toMatchObject({ created: false, message: { seq: 1, messageId: 'm0' } });
    expect((await store.append(text(tenantId, sessionId, 'm2'))).message.seq).toBe(3);
    expect((await store.listAfter(tenantId, sessionId, 0, 10)).messages).toHaveLength(3);
  });

  it('when resends and new messages of one session arrive in one burst at a fresh store, then the resends get their original seqs and the new ones follow without a gap', async () => {
    const tenantId = uniqueId('tenant');
    const sessionId = uniqueId('session');
    const writer = messageStore(a.db);
    for (let i = 0; i < 10; i++) await writer.append(text(tenantId, sessionId, `m${i}`));
    // Another process: its memory knows none of the ten, so the resends collide in MongoDB.
    const other = messageStore(b.db);
    const burst = await Promise.all(
      ['m3', 'n0', 'n1', 'm7', 'n2', 'n1'].map((id) => other.append(text(tenantId, sessionId, id))),
    );
    expect(burst.map((r) => [r.message.messageId, r.message.seq, r.created])).toEqual([
      ['m3', 4, false],
      ['n0', 11, true],
      ['n1', 12, true],
      ['m7', 8, false],
      ['n2', 13, true],
      ['n1', 12, false],
    ]);
    const { messages } = await writer.listAfter(tenantId, sessionId, 0, 100);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it('when two stores append to 20 sessions at once, then every session is numbered 1..10 without a gap', async () => {
    const tenantId = uniqueId('tenant');
    const sessionIds = Array.from({ length: 20 }, () => uniqueId('session'));
    const stores = [messageStore(a.db), messageStore(b.db)];
    await Promise.all(
      sessionIds.flatMap((sessionId) =>
        Array.from({ length: 10 }, (_, i) =>
          stores[i % 2]!.append(text(tenantId, sessionId, `m${i}`)),
        ),
      ),
    );
    for (const sessionId of sessionIds) {
      const { messages, hasMore } = await stores[0]!.listAfter(tenantId, sessionId, 0, 10);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(new Set(messages.map((m) => m.messageId)).size).toBe(10);
      expect(hasMore).toBe(false);
    }
  });

  it('when the agent has read up to a seq, then the unread count, the last message and the last activity come from the stored messages', async () => {
    const tenantId = uniqueId('tenant');
    const sessionId = uniqueId('session');
    const store = messageStore(a.db);
    for (let i = 0; i < 6; i++) {
      await store.append({
        ...text(tenantId, sessionId, `m${i}`),
        sender: i % 3 === 2 ? { type: 'agent', id: 'a1' } : { type: 'visitor', id: 'v1' },
      });
    }
    const reader = messageStore(b.db);
    const unread = async (readSeq: number) =>
      (await reader.glance(tenantId, sessionId, readSeq)).unreadFromVisitor;
    expect([await unread(0), await unread(1), await unread(4), await unread(6)]).toEqual([
      4, 3, 1, 0,
    ]);
    expect((await reader.glance(tenantId, sessionId, 0)).last?.messageId).toBe('m5');
    expect((await reader.last(tenantId, sessionId))?.messageId).toBe('m5');
    expect(await reader.glance(tenantId, uniqueId('empty'), 0)).toEqual({
      last: undefined,
      unreadFromVisitor: 0,
    });
    const activity = await reader.lastActivity(tenantId, sessionId);
    expect(activity.agentAt).toBeGreaterThanOrEqual(activity.visitorAt ?? Infinity);
  });

  it('when a new store (a restarted process) appends, then it continues after the stored maximum', async () => {
    const tenantId = uniqueId('tenant');
    const sessionId = uniqueId('session');
    for (let i = 0; i < 4; i++) await messageStore(a.db).append(text(tenantId, sessionId, `m${i}`));
    expect((await messageStore(b.db).append(text(tenantId, sessionId, 'm4'))).message.seq).toBe(5);
  });
});
