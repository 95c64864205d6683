import type { Broadcaster } from '../../messaging/broadcast';
import { sessionLists } from '../../messaging/session-lists';
import { connectMongo, type MongoHandle } from '../../runtime/connections';
import { messageStore } from '../../stores/messages';
import { readMarkStore } from '../../stores/read-marks';
import { sessionStore, type SessionPatch } from '../../stores/sessions';
import { closeMongo } from '../support/mongo';
import { testStack, uniqueDatabase, uniqueId } from '../support/stack';

/**
 * An agent's list: the seats routing records in Redis pick the sessions, the
 * MongoDB projection decides what is shown; with no record, MongoDB alone.
 */
describe('agent session lists', () => {
  let mongo: MongoHandle;
  let sessions: ReturnType<typeof sessionStore>;
  const unused = () => undefined;
  const broadcaster: Broadcaster = {
    messageToSession: unused,
    readReceipt: unused,
    sessionList: unused,
    sessionUpdated: unused,
    moveSession: unused,
    slaBreached: unused,
    statsChanged: unused,
  };

  beforeAll(async () => {
    mongo = await connectMongo(testStack.mongodbUrl, uniqueDatabase());
    sessions = sessionStore(mongo.db);
  });
  afterAll(async () => {
    await closeMongo(mongo, { drop: true });
  });

  const listsWith = (seats: string[] | undefined) =>
    sessionLists({
      sessions,
      messages: messageStore(mongo.db),
      reads: readMarkStore(mongo.db),
      seats: { heldSeats: () => Promise.resolve(seats) },
      broadcaster,
    });

  let minute = 0;
  const session = async (tenantId: string, patch: SessionPatch) => {
    const sessionId = uniqueId('session');
    await sessions.recordOpened(
      {
        tenantId,
        sessionId,
        visitor: { id: uniqueId('visitor'), tags: [] },
        channel: 'web',
        entry: { type: 'shop' },
      },
      // Opened one minute apart, so the list's order is known.
      new Date(Date.UTC(2026, 10, 1, 9, ++minute)),
    );
    await sessions.project(tenantId, sessionId, patch);
    return sessionId;
  };

  it('when routing names seats, then the list shows those the projection says the agent holds, oldest first', async () => {
    const tenantId = uniqueId('tenant');
    const older = await session(tenantId, { phase: 'assigned', agentId: 'ann' });
    const newer = await session(tenantId, { phase: 'reserved', agentId: 'ann' });
    const closed = await session(tenantId, { phase: 'closed', agentId: 'ann' });
    const bobs = await session(tenantId, { phase: 'assigned', agentId: 'bob' });
    const elsewhere = await session(uniqueId('tenant'), { phase: 'assigned', agentId: 'ann' });
    // Held in the projection but with no seat: routing has not caught up, or has let go.
    await session(tenantId, { phase: 'assigned', agentId: 'ann' });

    const list = await listsWith([newer, closed, bobs, elsewhere, older, 'gone']).listFor(
      tenantId,
      'ann',
    );
    expect(list.map((line) => line.sessionId)).toEqual([older, newer]);
  });

  it('when routing has no record (its state lost), then the list comes from MongoDB alone', async () => {
    const tenantId = uniqueId('tenant');
    const held = await session(tenantId, { phase: 'assigned', agentId: 'ann' });
    await session(tenantId, { phase: 'closed', agentId: 'ann' });

    expect((await listsWith(undefined).listFor(tenantId, 'ann')).map((l) => l.sessionId)).toEqual([
      held,
    ]);
  });
});
