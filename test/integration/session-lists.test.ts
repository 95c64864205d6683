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
 * An agent's list: read whole from the MongoDB projection when the console
 * connects or asks; after a lifecycle change, only the changed line is
 * pushed, and an agent the session left is told it is gone.
 */
describe('agent session lists', () => {
  let mongo: MongoHandle;
  let sessions: ReturnType<typeof sessionStore>;
  const unused = () => undefined;
  const broadcaster: Broadcaster = {
    messageToSession: unused,
    readReceipt: unused,
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

  /** The lists, and what they pushed: lines by agent, and moves. */
  const listsPushing = () => {
    const lines: { agentId: string; sessionId: string; phase: string }[] = [];
    const moves: { sessionId: string; from?: string; to?: string }[] = [];
    const lists = sessionLists({
      sessions,
      messages: messageStore(mongo.db),
      reads: readMarkStore(mongo.db),
      broadcaster: {
        ...broadcaster,
        sessionUpdated: (_tenantId, agentId, line) =>
          lines.push({ agentId, sessionId: line.sessionId, phase: line.phase }),
        moveSession: (_tenantId, sessionId, from, to) =>
          moves.push({
            sessionId,
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
          }),
      },
    });
    return { lists, lines, moves };
  };

  let minute = 0;
  const session = async (tenantId: string, patch: SessionPatch) => {
    // Opened one minute apart, so the list's order is known.
    const started = new Date(Date.UTC(2026, 10, 1, 9, ++minute));
    const sessionId = await recordedSession(sessions, tenantId, started);
    await sessions.project(tenantId, sessionId, patch);
    return sessionId;
  };

  it('when a session is assigned, then its agent is pushed that one line and the room follows', async () => {
    const tenantId = uniqueId('tenant');
    await session(tenantId, { phase: 'assigned', agentId: 'ann' });
    const assigned = await session(tenantId, { phase: 'assigned', agentId: 'ann' });

    const { lists, lines, moves } = listsPushing();
    await lists.sessionChanged(tenantId, assigned, undefined);
    expect(lines).toEqual([{ agentId: 'ann', sessionId: assigned, phase: 'assigned' }]);
    expect(moves).toEqual([{ sessionId: assigned, to: 'ann' }]);
  });

  it('when a session is transferred, then the new agent gets its line and the old one only its removal', async () => {
    const tenantId = uniqueId('tenant');
    const moved = await session(tenantId, { phase: 'assigned', agentId: 'bob' });

    const { lists, lines, moves } = listsPushing();
    await lists.sessionChanged(tenantId, moved, 'ann', await sessions.get(tenantId, moved));
    expect(lines).toEqual([{ agentId: 'bob', sessionId: moved, phase: 'assigned' }]);
    expect(moves).toEqual([{ sessionId: moved, from: 'ann', to: 'bob' }]);
  });

  it('when a session closes, then no line is pushed, and its agent is told it left the list', async () => {
    const tenantId = uniqueId('tenant');
    const closed = await session(tenantId, { phase: 'closed', agentId: 'ann' });

    const { lists, lines, moves } = listsPushing();
    await lists.sessionChanged(tenantId, closed, 'ann');
    expect(lines).toEqual([]);
    expect(moves).toEqual([{ sessionId: closed, from: 'ann' }]);
  });

  it('when an agent connects or asks, then the list comes from the projection, oldest first', async () => {
    const tenantId = uniqueId('tenant');
    const held = await session(tenantId, { phase: 'assigned', agentId: 'ann' });
    await session(tenantId, { phase: 'closed', agentId: 'ann' });
    const offered = await session(tenantId, { phase: 'reserved', agentId: 'ann' });
    await session(tenantId, { phase: 'assigned', agentId: 'bob' });
    await session(uniqueId('tenant'), { phase: 'assigned', agentId: 'ann' });

    const { lists } = listsPushing();
    expect((await lists.listFor(tenantId, 'ann')).map((l) => l.sessionId)).toEqual([held, offered]);
  });
});
