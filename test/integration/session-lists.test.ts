import type { Broadcaster } from '../../messaging/broadcast';
import { sessionLists } from '../../messaging/session-lists';
import { connectMongo, type MongoHandle } from '../../runtime/connections';
import { messageStore } from '../../stores/messages';
import { readMarkStore } from '../../stores/read-marks';
import { sessionStore, type SessionPatch } from '../../stores/sessions';
import { closeMongo } from '../support/mongo';
import { recordedSession } from '../support/recorded-session';
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
    noteToSession: unused,
    slaBreached: unused,
    agentSilent: unused,
    statsChanged: unused,
    agentStatus: unused,
  };

  beforeAll(async () => {
    mongo = await connectMongo(testStack.mongodbUrl, uniqueDatabase());
    sessions = sessionStore(mongo.db);
  });
  afterAll(async () => {
    await closeMongo(mongo, { drop: true });
  });

  /** The lists with routing's record of seats as given, and the lists they push. */
  const listsWith = (seats: string[] | undefined) => {
    const pushed: string[][] = [];
    const lists = sessionLists({
      sessions,
      messages: messageStore(mongo.db),
      reads: readMarkStore(mongo.db),
      seats: { heldSeats: () => Promise.resolve(seats) },
      broadcaster: {
        ...broadcaster,
        sessionList: (_tenantId, _agentId, lines) => pushed.push(lines.map((l) => l.sessionId)),
      },
    });
    return { lists, pushed };
  };

  let minute = 0;
  const session = async (tenantId: string, patch: SessionPatch) => {
    // Opened one minute apart, so the list's order is known.
    const started = new Date(Date.UTC(2026, 10, 1, 9, ++minute));
    const sessionId = await recordedSession(sessions, tenantId, started);
    await sessions.project(tenantId, sessionId, patch);
    return sessionId;
  };

  it('when a change is pushed, then the list is the seats routing names plus the changed session, as far as the projection says the agent holds them, oldest first', async () => {
    const tenantId = uniqueId('tenant');
    const older = await session(tenantId, { phase: 'assigned', agentId: 'ann' });
    const newer = await session(tenantId, { phase: 'reserved', agentId: 'ann' });
    const closed = await session(tenantId, { phase: 'closed', agentId: 'ann' });
    const bobs = await session(tenantId, { phase: 'assigned', agentId: 'bob' });
    const elsewhere = await session(uniqueId('tenant'), { phase: 'assigned', agentId: 'ann' });
    // Held in the projection but with no seat: routing is out of step with it.
    await session(tenantId, { phase: 'assigned', agentId: 'ann' });

    const { lists, pushed } = listsWith([newer, closed, bobs, elsewhere, 'gone']);
    // `older` just changed (say, was assigned) and its seat is not visible yet.
    await lists.pushList(tenantId, 'ann', await sessions.get(tenantId, older));
    expect(pushed).toEqual([[older, newer]]);
  });

  it('when routing has no record (its state lost), then a push comes from MongoDB alone', async () => {
    const tenantId = uniqueId('tenant');
    const held = await session(tenantId, { phase: 'assigned', agentId: 'ann' });
    await session(tenantId, { phase: 'closed', agentId: 'ann' });

    const { lists, pushed } = listsWith(undefined);
    await lists.pushList(tenantId, 'ann', null);
    expect(pushed).toEqual([[held]]);
  });

  it('when an agent connects or asks, then the list comes from the projection, whatever routing records', async () => {
    const tenantId = uniqueId('tenant');
    const held = await session(tenantId, { phase: 'assigned', agentId: 'ann' });
    const closed = await session(tenantId, { phase: 'closed', agentId: 'ann' });

    const { lists } = listsWith([closed]);
    expect((await lists.listFor(tenantId, 'ann')).map((l) => l.sessionId)).toEqual([held]);
  });
});
