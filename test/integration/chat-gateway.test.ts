import { startedSession } from '../../api/openapi';
import type { ChatMessage } from '../../domain/message';
import { turnTracker } from '../../messaging/turns';
import { closeRedis, connectRedis } from '../../runtime/connections';
import { faqStore } from '../../stores/faqs';
import type { ReadReceipt, SessionSummary } from '../../domain/socket-events';
import { collections } from '../../stores/collections';
import { messageStore } from '../../stores/messages';
import {
  chatTurnSignal,
  closeUpdate,
  stateQuery,
  visitorTextSignal,
} from '../../workflows/contract';
import {
  agentSend,
  agentSync,
  agentToken,
  collectSeqs,
  connectAgent,
  desk,
  emitRaw,
  ok,
  openAssigned,
  visitorSend,
  waitFor,
  type AgentSocket,
} from '../support/chat';
import {
  connectVisitor,
  eventually,
  postJson,
  startTestEngine,
  syncMessages,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { uniqueId } from '../support/stack';
import { signedVisitor } from '../support/identity';
import { storedUntold } from '../support/stored-message';

/** The chat gateway on one node: agents, sends, idempotency, validation, access, turns. */
let engine: TestEngine;
const sockets: (VisitorSocket | AgentSocket)[] = [];
beforeAll(async () => {
  engine = await startTestEngine({ VISITOR_SEND_LIMIT: 1000 });
});
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await engine.close();
});

const track = <S extends VisitorSocket | AgentSocket>(socket: S): S => {
  sockets.push(socket);
  return socket;
};
const stored = (tenantId: string, sessionId: string) =>
  collections(engine.db).messages.countDocuments({ tenantId, sessionId });

/** An assigned session with the shopper and its agent connected. */
async function conversation() {
  const agentId = uniqueId('agent');
  const tenantId = await desk(engine, [agentId]);
  const session = await openAssigned(engine, tenantId);
  const visitor = track(await connectVisitor(engine.app, session.visitorToken));
  const agent = track(await connectAgent(engine.app.url, agentToken(tenantId, agentId)));
  return {
    tenantId,
    agentId,
    sessionId: session.sessionId,
    workflowId: session.workflowId,
    visitor,
    agent,
  };
}

describe('agent namespace', () => {
  it('when a token is missing, of the wrong kind or forged, then the agent socket is refused', async () => {
    await expect(connectAgent(engine.app.url, undefined)).rejects.toThrow(/agent token/);
    const { visitorToken } = await openAssigned(engine, await desk(engine, ['a1']));
    await expect(connectAgent(engine.app.url, visitorToken)).rejects.toThrow(/agent token/);
    const forged = `${agentToken('t', 'a').slice(0, -4)}AAAA`;
    await expect(connectAgent(engine.app.url, forged)).rejects.toThrow(/agent token/);
  });

  it('when an agent connects, then it gets its session list and the live messages of its sessions', async () => {
    const agentId = uniqueId('agent');
    const tenantId = await desk(engine, [agentId]);
    const session = await openAssigned(engine, tenantId);
    const agent = connectAgent(engine.app.url, agentToken(tenantId, agentId));
    const list = await new Promise<SessionSummary[]>((resolve, reject) => {
      agent.then((s) => track(s).once('session:list', resolve), reject);
    });
    expect(list.map((s) => s.sessionId)).toEqual([session.sessionId]);
    const visitor = track(await connectVisitor(engine.app, session.visitorToken));
    const live = new Promise<ChatMessage>((resolve) =>
      agent.then((s) => s.on('message:new', (m) => m.sender.type === 'visitor' && resolve(m))),
    );
    const sent = ok(await visitorSend(visitor, { kind: 'text', clientMsgId: 'c1', text: 'hi' }));
    expect(await live).toMatchObject({ seq: sent.seq, text: 'hi', clientMsgId: 'c1' });
  });

  it('when a session is assigned while the agent is online, then its line is pushed and its room joined', async () => {
    const agentId = uniqueId('agent');
    const tenantId = await desk(engine, [agentId]);
    const agent = track(await connectAgent(engine.app.url, agentToken(tenantId, agentId)));
    const lines: SessionSummary[] = [];
    agent.on('session:updated', (line) => lines.push(line));
    const session = await openAssigned(engine, tenantId);
    await waitFor(() =>
      lines.some((s) => s.sessionId === session.sessionId && s.phase === 'assigned'),
    );
    const seqs = collectSeqs(agent, session.sessionId);
    const visitor = track(await connectVisitor(engine.app, session.visitorToken));
    const sent = ok(await visitorSend(visitor, { kind: 'text', clientMsgId: 'x', text: 'hello' }));
    await waitFor(() => seqs.includes(sent.seq));
  });
});

describe('message:send', () => {
  it('when both sides send every kind, then each gets a gapless seq in its ack and both sides see them in order', async () => {
    const c = await conversation();
    const before = (await syncMessages(c.visitor)).length;
    const visitorSeen = collectSeqs(c.visitor, c.sessionId);
    const agentSeen = collectSeqs(c.agent, c.sessionId);
    const acks = [
      ok(await visitorSend(c.visitor, { kind: 'text', clientMsgId: 'v1', text: '<b>hi</b>' })),
      ok(
        await agentSend(c.agent, {
          sessionId: c.sessionId,
          kind: 'card',
          clientMsgId: 'a1',
          card: { type: 'order', ref: 'o-1', title: 'Order o-1', status: 'shipped' },
        }),
      ),
      ok(
        await visitorSend(c.visitor, {
          kind: 'image',
          clientMsgId: 'v2',
          attachment: {
            url: 'https://cdn.example.com/p.png',
            name: 'p.png',
            size: 2048,
            mimeType: 'image/png',
            width: 10,
            height: 10,
          },
        }),
      ),
      ok(
        await agentSend(c.agent, {
          sessionId: c.sessionId,
          kind: 'file',
          clientMsgId: 'a2',
          text: 'the invoice',
          attachment: {
            url: 'https://cdn.example.com/i.pdf',
            name: 'invoice.pdf',
            size: 4096,
            mimeType: 'application/pdf',
          },
        }),
      ),
    ];
    const expected = [1, 2, 3, 4].map((i) => before + i);
    expect(acks.map((a) => a.seq)).toEqual(expected);
    // Text is data: stored and delivered exactly as sent, never escaped or stripped.
    expect(acks[0]).toMatchObject({ text: '<b>hi</b>', sender: { type: 'visitor' } });
    expect(acks[1]).toMatchObject({ kind: 'card', sender: { type: 'agent', id: c.agentId } });
    await waitFor(() => visitorSeen.length >= 4 && agentSeen.length >= 4);
    expect(visitorSeen.slice(-4)).toEqual(expected);
    expect(agentSeen.slice(-4)).toEqual(expected);
  });

  it('when the sender retries the same client id five times, then one message is stored and every ack has its seq', async () => {
    const c = await conversation();
    const message = {
      kind: 'text' as const,
      clientMsgId: uniqueId('c'),
      text: 'where is my parcel?',
    };
    const acks = await Promise.all(
      Array.from({ length: 5 }, () => visitorSend(c.visitor, message)),
    );
    const seqs = new Set(acks.map((a) => ok(a).seq));
    expect(seqs.size).toBe(1);
    expect(
      await collections(engine.db).messages.countDocuments({
        tenantId: c.tenantId,
        sessionId: c.sessionId,
        clientMsgId: message.clientMsgId,
      }),
    ).toBe(1);
    // The agent's same client id is its own message, not the shopper's.
    const agents = ok(
      await agentSend(c.agent, { sessionId: c.sessionId, ...message, text: 'on its way' }),
    );
    expect(seqs.has(agents.seq)).toBe(false);
  });

  it.each([
    ['clientMsgId', { kind: 'text', text: 'hi' }],
    ['text', { kind: 'text', clientMsgId: 'c', text: 42 }],
    ['text', { kind: 'text', clientMsgId: 'c', text: '   ' }],
    ['text', { kind: 'text', clientMsgId: 'c', text: 'x'.repeat(4_001) }],
    ['kind', { kind: 'audio', clientMsgId: 'c', text: 'hi' }],
    ['attachmentId', { kind: 'video', clientMsgId: 'c', text: 'hi' }],
    ['attachmentId', { kind: 'image', clientMsgId: 'c', text: 'neither link nor upload' }],
    ['attachmentId', { kind: 'file', clientMsgId: 'c', attachmentId: 'not-uploaded-here' }],
    [
      'attachment.size',
      {
        kind: 'image',
        clientMsgId: 'c',
        attachment: {
          url: 'https://x.test/a.png',
          name: 'a.png',
          size: 11 * 1024 * 1024,
          mimeType: 'image/png',
        },
      },
    ],
    [
      'attachment.mimeType',
      {
        kind: 'file',
        clientMsgId: 'c',
        attachment: {
          url: 'https://x.test/a.exe',
          name: 'a.exe',
          size: 10,
          mimeType: 'application/x-msdownload',
        },
      },
    ],
    [
      'attachment.url',
      {
        kind: 'image',
        clientMsgId: 'c',
        attachment: { url: 'javascript:alert(1)', name: 'a.png', size: 10, mimeType: 'image/png' },
      },
    ],
    [
      'card.type',
      { kind: 'card', clientMsgId: 'c', card: { type: 'coupon', ref: 'r', title: 't' } },
    ],
    ['sessionId', { kind: 'text', clientMsgId: 'c', text: 'hi', sessionId: 'someone-else' }],
  ])(
    'when the payload is bad (%s), then the error ack names the field and nothing is stored',
    async (field, payload) => {
      const c = await conversation();
      const count = await stored(c.tenantId, c.sessionId);
      const ack = await emitRaw(c.visitor, 'message:send', payload);
      expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      expect(ack.ok ? '' : ack.error.message).toContain(field);
      expect(await stored(c.tenantId, c.sessionId)).toBe(count);
    },
  );
});

describe('access', () => {
  it('when the agent’s chat has ended, then it reads the transcript but cannot send; another agent reads nothing', async () => {
    const c = await conversation();
    const question = ok(
      await visitorSend(c.visitor, { kind: 'text', clientMsgId: uniqueId('c'), text: 'size?' }),
    );
    await engine.temporal.client.workflow.getHandle(c.workflowId).executeUpdate(closeUpdate, {
      args: [{ by: { type: 'agent', agentId: c.agentId, supervisor: false } }],
    });
    await eventually(async () => {
      const doc = await collections(engine.db).sessions.findOne({ _id: c.sessionId });
      return doc && ['closed', 'rated'].includes(doc.phase) ? doc : undefined;
    });

    const transcript = ok(await agentSync(c.agent, c.sessionId, 0));
    expect(transcript.messages.map((m) => m.seq)).toContain(question.seq);
    expect(
      await agentSend(c.agent, {
        sessionId: c.sessionId,
        kind: 'text',
        clientMsgId: uniqueId('c'),
        text: 'one more thing',
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Read-only: no read marks (nor receipts to the shopper), no live room.
    for (const ack of [
      await emitRaw(c.agent, 'message:read', { sessionId: c.sessionId, seq: question.seq }),
      await emitRaw(c.agent, 'session:join', { sessionId: c.sessionId }),
    ]) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const other = track(
      await connectAgent(engine.app.url, agentToken(c.tenantId, uniqueId('agent'))),
    );
    expect(await agentSync(other, c.sessionId, 0)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('when another agent or another tenant tries to send, sync, join or read receipts, then it is refused and leaves no trace', async () => {
    const c = await conversation();
    const count = await stored(c.tenantId, c.sessionId);
    const other = track(
      await connectAgent(engine.app.url, agentToken(c.tenantId, uniqueId('agent'))),
    );
    const foreign = track(
      await connectAgent(engine.app.url, agentToken(await desk(engine, []), c.agentId)),
    );
    const attempts = async (socket: AgentSocket) => [
      await agentSend(socket, {
        sessionId: c.sessionId,
        kind: 'text',
        clientMsgId: 'evil',
        text: 'x',
      }),
      await agentSync(socket, c.sessionId, 0),
      await emitRaw(socket, 'session:join', { sessionId: c.sessionId }),
      await emitRaw(socket, 'message:read', { sessionId: c.sessionId, seq: 1 }),
    ];
    for (const ack of await attempts(other)) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    for (const ack of await attempts(foreign)) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    const agentSeen = collectSeqs(c.agent, c.sessionId);
    const live: ChatMessage[] = [];
    other.on('message:new', (m) => live.push(m));
    foreign.on('message:new', (m) => live.push(m));
    const sent = ok(
      await visitorSend(c.visitor, { kind: 'text', clientMsgId: 'after', text: 'hi' }),
    );
    // The session's agent got it live, so the same broadcast has reached every room it went to.
    await waitFor(() => agentSeen.includes(sent.seq));
    expect(live).toEqual([]);
    expect(await stored(c.tenantId, c.sessionId)).toBe(count + 1);
    expect(await collections(engine.db).readMarks.countDocuments({ sessionId: c.sessionId })).toBe(
      0,
    );
  });

  it('when a supervisor of the tenant watches, then it can join and sync any session but not send', async () => {
    const c = await conversation();
    const supervisor = track(
      await connectAgent(engine.app.url, agentToken(c.tenantId, uniqueId('sup'), 'supervisor')),
    );
    const joined = await emitRaw(supervisor, 'session:join', { sessionId: c.sessionId });
    expect(joined).toMatchObject({
      ok: true,
      data: { sessionId: c.sessionId, agentId: c.agentId },
    });
    const seqs = collectSeqs(supervisor, c.sessionId);
    const sent = ok(await visitorSend(c.visitor, { kind: 'text', clientMsgId: 's1', text: 'hi' }));
    await waitFor(() => seqs.includes(sent.seq));
    expect(ok(await agentSync(supervisor, c.sessionId, 0)).messages.at(-1)?.seq).toBe(sent.seq);
    const refused = await agentSend(supervisor, {
      sessionId: c.sessionId,
      kind: 'text',
      clientMsgId: 's2',
      text: 'x',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('read state and turns', () => {
  it('when the shopper reads, then the agent gets a receipt; when the agent reads, then its unread count drops to 0', async () => {
    const c = await conversation();
    const updates: SessionSummary[] = [];
    c.agent.on('session:updated', (s) => updates.push(s));
    const receipts = new Promise<ReadReceipt>((resolve) => c.agent.on('message:read', resolve));
    ok(await visitorSend(c.visitor, { kind: 'text', clientMsgId: 'u1', text: 'one' }));
    const last = ok(await visitorSend(c.visitor, { kind: 'text', clientMsgId: 'u2', text: 'two' }));
    await waitFor(() => updates.some((u) => u.unread === 2));
    const agentMsg = ok(
      await agentSend(c.agent, {
        sessionId: c.sessionId,
        kind: 'text',
        clientMsgId: 'r',
        text: 'ok',
      }),
    );
    ok(await emitRaw(c.visitor, 'message:read', { seq: agentMsg.seq }));
    expect(await receipts).toEqual({
      sessionId: c.sessionId,
      reader: { type: 'visitor' },
      seq: agentMsg.seq,
    });
    ok(await emitRaw(c.agent, 'message:read', { sessionId: c.sessionId, seq: last.seq }));
    await waitFor(() => updates.some((u) => u.unread === 0 && u.visitorReadSeq === agentMsg.seq));
  });

  it('when speakers alternate, then the workflow is told only the agent’s first reply, and every turn is in the stored messages', async () => {
    const c = await conversation();
    const say = (by: 'v' | 'a', i: number) =>
      by === 'v'
        ? visitorSend(c.visitor, { kind: 'text', clientMsgId: `t${i}`, text: 'q' })
        : agentSend(c.agent, {
            sessionId: c.sessionId,
            kind: 'text',
            clientMsgId: `t${i}`,
            text: 'a',
          });
    const order = ['v', 'v', 'v', 'a', 'a', 'v'] as const;
    for (const [i, by] of order.entries()) ok(await say(by, i));
    const handle = engine.temporal.client.workflow.getHandle(c.workflowId);
    const state = await eventually(async () => {
      const s = await handle.query(stateQuery);
      return s.firstResponseAt ? s : undefined;
    });
    expect(state.lastSpeaker).toBe('agent');
    // A signal of the test's own lands after every signal the sends above made.
    await handle.signal(chatTurnSignal, { by: 'visitor' });
    const turns = await eventually(async () => {
      const { events } = await handle.fetchHistory();
      const names = (events ?? []).flatMap((e) =>
        e.workflowExecutionSignaledEventAttributes?.signalName === 'chatTurn' ? ['turn'] : [],
      );
      return names.length >= 2 ? names.length : undefined;
    });
    expect(turns).toBe(2);
    // What the deadline timers re-check: kept in the messages themselves.
    const activity = await messageStore(engine.db).lastActivity(c.tenantId, c.sessionId);
    expect(activity.visitorAt).toBeGreaterThan(activity.agentAt ?? Infinity);
    await handle.terminate('test done');
  });
});

describe('a node that dies between storing a message and telling the workflow', () => {
  /** What the dead node left behind: the message stored (as another node's store would), nobody told. */
  async function storedByDeadNode(
    tenantId: string,
    sessionId: string,
    sender: { type: 'visitor' | 'agent'; id: string },
    clientMsgId: string,
    text: string,
  ) {
    return storedUntold(engine.db, { tenantId, sessionId, sender, clientMsgId, text });
  }

  async function signalsNamed(workflowId: string, name: string): Promise<number> {
    const { events } = await engine.temporal.client.workflow.getHandle(workflowId).fetchHistory();
    return (events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === name,
    ).length;
  }

  it('when the shopper resends a question the robot never heard, even with the greeting stored after it, then the robot answers it once', async () => {
    const tenantId = await engine.createTenant({ locale: 'en' });
    await faqStore(engine.db).add(tenantId, {
      question: 'When will my order ship?',
      keywords: ['ship'],
      answer: 'Orders ship within 24 hours.',
    });
    const visitorId = uniqueId('visitor');
    const started = startedSession.parse(
      (
        await postJson(engine.app, '/api/v1/sessions', {
          tenantId,
          visitor: signedVisitor(tenantId, visitorId),
          channel: 'web',
          entry: { type: 'order', ref: 'o-1' },
        })
      ).body,
    );
    const visitor = track(await connectVisitor(engine.app, started.visitorToken));
    const question = {
      kind: 'text' as const,
      clientMsgId: uniqueId('c'),
      text: 'when will it ship?',
    };
    const original = await storedByDeadNode(
      tenantId,
      started.sessionId,
      { type: 'visitor', id: visitorId },
      question.clientMsgId,
      question.text,
    );
    // The workflow's greeting may land after the text the dying node stored: no answer to it.
    await messageStore(engine.db).append({
      tenantId,
      sessionId: started.sessionId,
      messageId: `robot-line:${uniqueId('r')}`,
      kind: 'text',
      sender: { type: 'robot' },
      text: 'Hello, how can I help?',
    });

    expect(ok(await visitorSend(visitor, question)).seq).toBe(original.seq);
    const answers = () =>
      collections(engine.db).messages.countDocuments({
        tenantId,
        sessionId: started.sessionId,
        text: 'Orders ship within 24 hours.',
      });
    await eventually(async () => ((await answers()) === 1 ? true : undefined));
    // Resent after the answer: told again (the shopper has not written since), heard once.
    ok(await visitorSend(visitor, question));
    ok(await visitorSend(visitor, question));
    // Two nodes telling one text at once: the robot hears it once.
    const handle = engine.temporal.client.workflow.getHandle(started.workflowId);
    const twice = { messageId: 'v:told-twice', text: 'when will it ship?', at: Date.now() };
    await handle.signal(visitorTextSignal, twice);
    await handle.signal(visitorTextSignal, twice);
    // Once a workflow task has completed after the last signal, every text has been handled.
    const events = await eventually(async () => {
      const all = (await handle.fetchHistory()).events ?? [];
      const lastSignal = all.findLastIndex((e) => e.workflowExecutionSignaledEventAttributes);
      const handled = all.slice(lastSignal + 1).some((e) => e.workflowTaskCompletedEventAttributes);
      return handled ? all : undefined;
    });
    const signals = events.filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'visitorText',
    );
    expect(signals).toHaveLength(5);
    // Local activities are recorded as markers whose data names the activity type.
    const replies = events.filter((e) =>
      (e.markerRecordedEventAttributes?.details?.['data']?.payloads ?? []).some((p) =>
        Buffer.from(p.data ?? [])
          .toString()
          .includes('"activity_type":"robotReply"'),
      ),
    );
    expect(replies).toHaveLength(2);
    expect(await answers()).toBe(2);
    const state = await handle.query(stateQuery);
    expect(state.phase).toBe('robot');
    expect(state.robotMisses).toBe(0);
    await handle.terminate('test done');
  });

  it.each([
    ['before recording the turn', false],
    ['after recording the turn', true],
  ])(
    'when it died %s, then the resend by the agent tells its first reply, once',
    async (_when, recorded) => {
      const c = await conversation();
      ok(
        await visitorSend(c.visitor, { kind: 'text', clientMsgId: uniqueId('c'), text: 'hello?' }),
      );
      const reply = {
        kind: 'text' as const,
        clientMsgId: uniqueId('c'),
        text: 'hi, how can I help?',
      };
      const original = await storedByDeadNode(
        c.tenantId,
        c.sessionId,
        { type: 'agent', id: c.agentId },
        reply.clientMsgId,
        reply.text,
      );
      if (recorded) {
        const redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
        try {
          const turns = turnTracker(redis);
          await turns.record(c.tenantId, c.sessionId, 'agent', original.seq, c.agentId);
        } finally {
          await closeRedis(redis);
        }
      }

      const resend = () => agentSend(c.agent, { sessionId: c.sessionId, ...reply });
      expect(ok(await resend()).seq).toBe(original.seq);
      const state = await eventually(async () => {
        const s = await engine.temporal.client.workflow.getHandle(c.workflowId).query(stateQuery);
        return s.firstResponseAt ? s : undefined;
      });
      expect(state.lastSpeaker).toBe('agent');
      ok(await resend());
      ok(await resend());
      // The later resends found the reply told, and the shopper's turns are read, not
      // told; a signal of the test's own lands after every signal the sends made.
      ok(
        await visitorSend(c.visitor, { kind: 'text', clientMsgId: uniqueId('c'), text: 'thanks' }),
      );
      const handle = engine.temporal.client.workflow.getHandle(c.workflowId);
      await handle.signal(chatTurnSignal, { by: 'visitor' });
      await eventually(async () =>
        (await signalsNamed(c.workflowId, 'chatTurn')) >= 2 ? true : undefined,
      );
      expect(await signalsNamed(c.workflowId, 'chatTurn')).toBe(2);
      await engine.temporal.client.workflow.getHandle(c.workflowId).terminate('test done');
    },
  );
});
