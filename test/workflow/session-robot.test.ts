import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { createActivities } from '../../activities';
import type { BotRequest } from '../../domain/bot-hook';
import type { ChatMessage } from '../../domain/message';
import { defaultTemplates } from '../../domain/flow';
import { collections } from '../../stores/collections';
import { messageStore } from '../../stores/messages';
import {
  closeUpdate,
  leaveMessageUpdate,
  requestHumanUpdate,
  stateQuery,
  visitorTextSignal,
} from '../../workflows/contract';
import { eventually } from '../support/engine';
import { recordHistory } from '../support/histories';
import { uniqueId } from '../support/stack';
import { type WorkflowTestEnv, workflowEnvPerTest } from '../support/workflow-env';

/** Robot reception, working hours and leave-message, on the time-skipping server. */

let t: WorkflowTestEnv;
workflowEnvPerTest((env) => (t = env));

const messagesOf = async (tenantId: string, sessionId: string): Promise<ChatMessage[]> =>
  (await messageStore(t.mongo.db).listAfter(tenantId, sessionId, 0, 100)).messages;

/** Waits for the session's message with this seq. */
const message = (tenantId: string, sessionId: string, seq: number) =>
  eventually(async () => (await messagesOf(tenantId, sessionId)).find((m) => m.seq === seq));

const zh = defaultTemplates['zh-CN'];

describe('robot reception', () => {
  it('when the robot phase stays idle, then the session closes exactly at the idle timeout and frees the visitor', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant({ timeouts: { robotIdleMs: 10 * 60_000 } });
    const input = t.sessionInput(tenantId);

    await t.run(taskQueue, async () => {
      const handle = await t.start(taskQueue, input);
      expect(await message(tenantId, input.sessionId, 1)).toMatchObject({
        sender: { type: 'robot' },
        text: zh.greeting,
      });
      await t.env.sleep(10 * 60_000 - 1_000);
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'robot' });

      const final = await handle.result();
      expect(final).toMatchObject({ phase: 'closed', closeReason: 'robot_idle' });
      const history = await handle.fetchHistory();
      await recordHistory('robot-idle-close', history);
      const timers = (history.events ?? []).flatMap((e) =>
        e.timerStartedEventAttributes ? [e.timerStartedEventAttributes] : [],
      );
      expect(timers.map((x) => Number(x.startToFireTimeout?.seconds))).toEqual([600]);
      const idleMs = Date.parse(final.closedAt ?? '') - Date.parse(final.lastActivityAt);
      expect(idleMs).toBeGreaterThanOrEqual(10 * 60_000);
      expect(idleMs).toBeLessThan(10 * 60_000 + 1_000);
    });
    const { sessions, openSessions } = collections(t.mongo.db);
    expect(await sessions.findOne({ _id: input.sessionId })).toMatchObject({
      phase: 'closed',
      closeReason: 'robot_idle',
    });
    expect(await openSessions.findOne({ tenantId, visitorId: input.visitor.id })).toBeNull();
  });

  it('when a shopper text was stored but never told (its gateway died after the ack), then at the idle deadline the robot answers it instead of closing, once', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant({ timeouts: { robotIdleMs: 10 * 60_000 } });
    await t.deps.faqs.add(tenantId, { question: '如何退货？', answer: '7 天内可申请退货。' });
    const input = t.sessionInput(tenantId);
    const answer = '7 天内可申请退货。';

    await t.run(taskQueue, async () => {
      const handle = await t.start(taskQueue, input);
      await message(tenantId, input.sessionId, 1);
      // Stored and acked as the gateway does, and then nobody told the workflow.
      await messageStore(t.mongo.db).append({
        tenantId,
        sessionId: input.sessionId,
        messageId: 'v:q1',
        clientMsgId: 'q1',
        kind: 'text',
        sender: { type: 'visitor', id: input.visitor.id },
        text: '我想退货怎么办',
      });
      await t.env.sleep(10 * 60_000);
      expect(await message(tenantId, input.sessionId, 3)).toMatchObject({
        sender: { type: 'robot' },
        text: answer,
      });
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'robot' });

      // Heard now: the next quiet stretch closes the session without answering it again.
      const final = await handle.result();
      expect(final).toMatchObject({ phase: 'closed', closeReason: 'robot_idle' });
      await recordHistory('robot-idle-hears-stored', await handle.fetchHistory());
      const answers = (await messagesOf(tenantId, input.sessionId)).filter(
        (m) => m.sender.type === 'robot' && m.text === answer,
      );
      expect(answers).toHaveLength(1);
    });
  });

  it('when the greeting activity is retried, then the greeting is stored once', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant({ timeouts: { robotIdleMs: 60_000 } });
    const input = t.sessionInput(tenantId);
    // A greeting stored by an earlier attempt that crashed before completing.
    await createActivities(t.deps).postWorkflowMessage({
      tenantId,
      sessionId: input.sessionId,
      purpose: 'greeting',
      text: 'earlier attempt',
    });
    await t.run(taskQueue, async () => {
      await (await t.start(taskQueue, input)).result();
    });
    const stored = await messagesOf(tenantId, input.sessionId);
    expect(stored.map((m) => [m.seq, m.text])).toEqual([
      [1, 'earlier attempt'],
      [2, zh.closed],
    ]);
  });

  it('when the tenant is unknown, then the workflow fails without retrying forever', async () => {
    const taskQueue = uniqueId('tq');
    const input = t.sessionInput(uniqueId('nobody'));
    await t.run(taskQueue, async () => {
      await expect((await t.start(taskQueue, input)).result()).rejects.toThrow();
    });
  });

  it('when the shopper asks FAQ questions, then the robot answers, suggests, and hands over after two misses', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant({ robot: { missLimit: 2 } });
    for (const entry of [
      { question: '如何退货？', similar: ['退货流程是什么'], answer: '7 天内可申请退货。' },
      { question: '什么时候发货？', similar: ['多久能发货'], answer: '付款后 48 小时内发货。' },
      { question: '运费多少？', answer: '满 99 元包邮。' },
    ]) {
      await t.deps.faqs.add(tenantId, entry);
    }
    const input = t.sessionInput(tenantId);
    await t.run(taskQueue, async () => {
      const handle = await t.start(taskQueue, input);
      await handle.signal(visitorTextSignal, { messageId: 'm1', text: '我想退货怎么办', at: 0 });
      expect(await message(tenantId, input.sessionId, 2)).toMatchObject({
        sender: { type: 'robot' },
        text: '7 天内可申请退货。',
      });
      await handle.signal(visitorTextSignal, { messageId: 'm2', text: '今天天气怎么样', at: 0 });
      const miss = await message(tenantId, input.sessionId, 3);
      expect(miss.sender.type).toBe('robot');
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'robot' });
      await handle.signal(visitorTextSignal, { messageId: 'm3', text: '你们老板是谁', at: 0 });
      await message(tenantId, input.sessionId, 4);
      expect(await message(tenantId, input.sessionId, 5)).toMatchObject({ text: zh.handover });
      // No agent in the group: the shopper waits, told their position.
      const queued = await eventually(async () => {
        const s = await handle.query(stateQuery);
        return s.phase === 'queued' && s.queuePosition === 1 ? s : undefined;
      });
      expect(queued).toMatchObject({ groupId: 'default', robotMisses: 2 });
      expect(await message(tenantId, input.sessionId, 6)).toMatchObject({
        kind: 'system',
        text: '您前面还有 1 位顾客在排队，请稍候。',
      });
    });
  });

  it('when the shopper types the hand-over keyword or asks by button, then the session leaves the robot at once', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant();
    const byKeyword = t.sessionInput(tenantId);
    const byButton = t.sessionInput(tenantId);
    await t.run(taskQueue, async () => {
      const a = await t.start(taskQueue, byKeyword);
      await a.signal(visitorTextSignal, { messageId: 'm1', text: '转人工', at: 0 });
      await eventually(async () =>
        (await a.query(stateQuery)).queuePosition === 1 ? true : undefined,
      );
      const b = await t.start(taskQueue, byButton);
      expect(await b.executeUpdate(requestHumanUpdate)).toMatchObject({ phase: 'queued' });
      // Asking again is refused: the session is no longer with the robot.
      await expect(b.executeUpdate(requestHumanUpdate)).rejects.toThrow(WorkflowUpdateFailedError);
      await eventually(async () =>
        (await b.query(stateQuery)).queuePosition === 2 ? true : undefined,
      );
    });
  });

  it('when the robot is off, then the session goes straight to routing', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant({ robot: { enabled: false } });
    const input = t.sessionInput(tenantId);
    await t.run(taskQueue, async () => {
      const handle = await t.start(taskQueue, input);
      await eventually(async () =>
        (await handle.query(stateQuery)).phase === 'queued' ? true : undefined,
      );
    });
  });
});

describe('working hours and leave-message', () => {
  const closedAlways = { timeZone: 'Asia/Shanghai', weekly: {}, special: [] };

  it('when the group is outside working hours, then the shopper is told and leaves a message that becomes a ticket', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant({ locale: 'en' });
    await t.deps.hours.put(tenantId, '*', 'reception', closedAlways);
    const input = t.sessionInput(tenantId);
    await t.run(taskQueue, async () => {
      const handle = await t.start(taskQueue, input);
      expect(await handle.executeUpdate(requestHumanUpdate)).toMatchObject({
        phase: 'leave_message',
      });
      const texts = (await messagesOf(tenantId, input.sessionId)).map((m) => m.text);
      expect(texts).toContain(defaultTemplates.en.offHours);
      expect(texts).toContain(defaultTemplates.en.leaveMessage);

      // An empty message is refused and changes nothing.
      await expect(
        handle.executeUpdate(leaveMessageUpdate, { args: [{ contact: {}, content: '  ' }] }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'leave_message' });

      const done = await handle.executeUpdate(leaveMessageUpdate, {
        args: [{ contact: { phone: '+86 138 0000 0000' }, content: 'Where is my parcel?' }],
      });
      expect(done.ticketId).toBeDefined();
      expect(await handle.result()).toMatchObject({ phase: 'closed', closeReason: 'left_message' });
      expect(await t.deps.tickets.get(tenantId, done.ticketId ?? '')).toMatchObject({
        sessionId: input.sessionId,
        status: 'open',
        content: 'Where is my parcel?',
        contact: { phone: '+86 138 0000 0000' },
      });
    });
  });

  it('when no message is left within the window, then the session closes by itself', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant({ timeouts: { leaveMessageWindowMs: 30 * 60_000 } });
    await t.deps.hours.put(tenantId, '*', 'reception', closedAlways);
    const input = t.sessionInput(tenantId);
    await t.run(taskQueue, async () => {
      const handle = await t.start(taskQueue, input);
      await handle.executeUpdate(requestHumanUpdate);
      await t.env.sleep(30 * 60_000 - 2_000);
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'leave_message' });
      expect(await handle.result()).toMatchObject({ closeReason: 'leave_message_timeout' });
    });
  });
});

describe('robot reception with a bot hook', () => {
  it('when the tenant’s bot answers a text and then hands over, then the robot posts the bot’s answer, the FAQ robot is not asked, and the session queues', async () => {
    const taskQueue = uniqueId('tq');
    const tenantId = await t.tenant({ timeouts: { robotIdleMs: 10 * 60_000 } });
    await t.deps.faqs.add(tenantId, { question: '如何退货？', answer: '7 天内可申请退货。' });
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { message } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as BotRequest;
        const answer =
          message.text === '转人工'
            ? { type: 'handover' }
            : { type: 'text', text: `bot: ${message.text}`, suggestions: ['查物流'] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // The test's bot listens on loopback, which the production address policy refuses.
    t.deps.allowPrivateAddresses = true;
    await t.deps.botHooks.put(
      tenantId,
      { url: `http://127.0.0.1:${port}/bot`, timeoutMs: 3_000, active: true },
      'whsec_test',
    );
    const input = t.sessionInput(tenantId);
    try {
      await t.run(taskQueue, async () => {
        const handle = await t.start(taskQueue, input);
        await handle.signal(visitorTextSignal, { messageId: 'm1', text: '我想退货怎么办', at: 0 });
        expect(await message(tenantId, input.sessionId, 2)).toMatchObject({
          sender: { type: 'robot' },
          text: 'bot: 我想退货怎么办',
          suggestions: ['查物流'],
        });
        await handle.signal(visitorTextSignal, { messageId: 'm2', text: '转人工', at: 0 });
        await eventually(async () =>
          (await handle.query(stateQuery)).queuePosition === 1 ? true : undefined,
        );
        await handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'visitor' } }] });
        const final = await handle.result();
        expect(final).toMatchObject({ phase: 'closed', closeReason: 'abandoned' });
        await recordHistory('bot-hook', await handle.fetchHistory());
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const texts = (await messagesOf(tenantId, input.sessionId)).map((m) => m.text);
    expect(texts).not.toContain('7 天内可申请退货。');
  });
});
