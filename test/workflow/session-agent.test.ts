import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { FlowInput } from '../../domain/flow';
import type { GroupRouting } from '../../domain/agents';
import { defaultTemplates } from '../../domain/flow';
import { collections } from '../../stores/collections';
import { messageStore } from '../../stores/messages';
import {
  acceptOfferUpdate,
  assignedSignal,
  chatTurnSignal,
  closeUpdate,
  rateUpdate,
  requestHumanUpdate,
  stateQuery,
  transferUpdate,
} from '../../workflows/contract';
import { eventually } from '../support/engine';
import { recordHistory } from '../support/histories';
import { uniqueId } from '../support/stack';
import { untilState, type WorkflowTestEnv, workflowEnvPerTest } from '../support/workflow-env';

/**
 * Queue, assignment, reservation, transfer, idle close and rating, with the
 * real routing core on Redis and the time-skipping server for the timers.
 */

let t: WorkflowTestEnv;
workflowEnvPerTest((env) => (t = env));

const min = 60_000;
const zh = defaultTemplates['zh-CN'];

const until = untilState;

const texts = async (tenantId: string, sessionId: string) =>
  (await messageStore(t.mongo.db).listAfter(tenantId, sessionId, 0, 100)).messages.map(
    (m) => m.text,
  );

/** A tenant whose sessions skip the robot, with agents (capacity each) in the default group. */
async function desk(
  agents: Record<string, number>,
  flow: FlowInput = {},
  groups: Record<string, GroupRouting> = { default: {} },
) {
  const tenantId = await t.tenant({ robot: { enabled: false }, ...flow }, groups);
  for (const [agentId, capacity] of Object.entries(agents)) {
    await t.deps.routing.configureAgent(tenantId, { agentId, capacity, groups: ['default'] });
  }
  return tenantId;
}

async function openSession(taskQueue: string, tenantId: string) {
  const input = t.sessionInput(tenantId);
  const handle = await t.start(taskQueue, input);
  return { input, handle };
}

describe('queue and assignment', () => {
  it('when an agent comes online, then the waiting shopper is assigned at once and told who joined', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({ alice: 2 });
    await t.run(tq, async () => {
      const { input, handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.phase === 'queued' && s.queuePosition === 1);
      await t.deps.routing.setStatus(tenantId, 'alice', 'online');
      const assigned = await until(handle, (s) => s.phase === 'assigned');
      expect(assigned).toMatchObject({ agentId: 'alice', groupId: 'default' });
      await eventually(async () =>
        (await texts(tenantId, input.sessionId)).includes('客服 alice 为您服务。')
          ? true
          : undefined,
      );
      expect(await t.deps.router.sessionsOf(tenantId, 'alice')).toEqual([input.sessionId]);
      // A redelivered decision is ignored: still one session, one seat.
      await handle.signal(assignedSignal, {
        sessionId: input.sessionId,
        agentId: 'alice',
        groupId: 'default',
        assignedAt: Date.now(),
      });
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'assigned', agentId: 'alice' });
      const doc = await collections(t.mongo.db).sessions.findOne({ _id: input.sessionId });
      expect(doc).toMatchObject({ phase: 'assigned', agentId: 'alice', groupId: 'default' });
    });
  });

  it('when a session closes, then its seat goes to the next shopper in the same step', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({ bob: 1 });
    await t.deps.routing.setStatus(tenantId, 'bob', 'online');
    await t.run(tq, async () => {
      const first = await openSession(tq, tenantId);
      await until(first.handle, (s) => s.phase === 'assigned');
      const second = await openSession(tq, tenantId);
      await until(second.handle, (s) => s.queuePosition === 1);
      // Only the session's agent (or a supervisor) may close it.
      await expect(
        first.handle.executeUpdate(closeUpdate, {
          args: [{ by: { type: 'agent', agentId: 'mallory', supervisor: false } }],
        }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      const closed = await first.handle.executeUpdate(closeUpdate, {
        args: [{ by: { type: 'agent', agentId: 'bob', supervisor: false } }],
      });
      expect(closed).toMatchObject({ phase: 'closed', closeReason: 'agent' });
      await until(second.handle, (s) => s.phase === 'assigned' && s.agentId === 'bob');
      expect(await t.deps.router.sessionsOf(tenantId, 'bob')).toEqual([second.input.sessionId]);
    });
  });

  it('when the queue is full, then the shopper overflows to the overflow group, or leaves a message without one', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({}, { queue: { maxLength: 1 } }, { default: {}, backup: {} });
    await t.deps.routing.configureAgent(tenantId, {
      agentId: 'carol',
      capacity: 1,
      groups: ['backup'],
    });
    await t.deps.routing.setStatus(tenantId, 'carol', 'online');
    await t.run(tq, async () => {
      const first = await openSession(tq, tenantId);
      await until(first.handle, (s) => s.queuePosition === 1);
      const noOverflow = await openSession(tq, tenantId);
      await until(noOverflow.handle, (s) => s.phase === 'leave_message');

      await t.deps.routing.configureGroup(tenantId, 'default', { overflowGroupId: 'backup' });
      const overflowed = await openSession(tq, tenantId);
      const state = await until(overflowed.handle, (s) => s.phase === 'assigned');
      expect(state).toMatchObject({ agentId: 'carol', groupId: 'backup', overflowed: true });
    });
  });

  it('when the wait passes the flow’s maximum, then the shopper leaves the queue exactly then and is offered leave-message', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({}, { queue: { maxWaitMs: 5 * min, positionNoticeMs: 60_000 } });
    await t.run(tq, async () => {
      const { input, handle } = await openSession(tq, tenantId);
      const queued = await until(handle, (s) => s.queuePosition === 1);
      await t.env.sleep(5 * min - 5_000);
      expect((await handle.query(stateQuery)).phase).toBe('queued');
      await t.env.sleep(10_000);
      const left = await until(handle, (s) => s.phase === 'leave_message');
      expect(Date.parse(left.lastActivityAt) - (queued.enqueuedAt ?? 0)).toBeGreaterThanOrEqual(
        5 * min,
      );
      expect(await t.deps.router.queueLength(tenantId, 'default')).toBe(0);
      expect(await texts(tenantId, input.sessionId)).toContain(zh.leaveMessage);
    });
  });

  it('when the shopper gives up in the queue, then the session closes as abandoned and leaves the queue', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({});
    await t.run(tq, async () => {
      const { input, handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.queuePosition === 1);
      await handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'visitor' } }] });
      expect(await handle.result()).toMatchObject({ closeReason: 'abandoned' });
      expect(await t.deps.router.queueLength(tenantId, 'default')).toBe(0);
      expect(
        await collections(t.mongo.db).sessions.findOne({ _id: input.sessionId }),
      ).toMatchObject({
        abandoned: true,
      });
    });
  });

  it('when a decision arrives that nobody waits for, then its seat is given back', async () => {
    const tq = uniqueId('tq');
    const tenantId = await t.tenant();
    await t.deps.routing.configureAgent(tenantId, {
      agentId: 'dan',
      capacity: 1,
      groups: ['default'],
    });
    await t.deps.routing.setStatus(tenantId, 'dan', 'online');
    await t.run(tq, async () => {
      const { input, handle } = await openSession(tq, tenantId);
      // A seat taken for this session while it is still with the robot (e.g. a stale restore).
      await t.deps.router.enqueue(tenantId, {
        sessionId: input.sessionId,
        groupId: 'default',
        priority: 0,
        enqueuedAt: 1,
      });
      expect(await t.deps.router.sessionsOf(tenantId, 'dan')).toEqual([input.sessionId]);
      await handle.signal(assignedSignal, {
        sessionId: input.sessionId,
        agentId: 'dan',
        groupId: 'default',
        assignedAt: Date.now(),
      });
      await eventually(async () =>
        (await t.deps.router.sessionsOf(tenantId, 'dan')).length === 0 ? true : undefined,
      );
      expect((await handle.query(stateQuery)).phase).toBe('robot');
    });
  });
});

describe('reservation', () => {
  it('when the offered agent accepts, then the session is theirs; another agent cannot accept it', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({ erin: 1 }, {}, { default: { reserve: true } });
    await t.deps.routing.setStatus(tenantId, 'erin', 'online');
    await t.run(tq, async () => {
      const { handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.phase === 'reserved' && s.offeredAgentId === 'erin');
      await expect(
        handle.executeUpdate(acceptOfferUpdate, { args: [{ agentId: 'frank' }] }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      const accepted = await handle.executeUpdate(acceptOfferUpdate, {
        args: [{ agentId: 'erin' }],
      });
      expect(accepted).toMatchObject({ phase: 'assigned', agentId: 'erin' });
    });
  });

  it('when the offer times out, then the next agent is offered it and the one who missed is set away', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk(
      { gina: 1, hank: 1 },
      { timeouts: { reservationMs: 60_000 } },
      { default: { reserve: true } },
    );
    await t.deps.routing.setStatus(tenantId, 'gina', 'online');
    await t.run(tq, async () => {
      const { handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.offeredAgentId === 'gina');
      await t.deps.routing.setStatus(tenantId, 'hank', 'online');
      await t.env.sleep(61_000);
      await until(handle, (s) => s.phase === 'reserved' && s.offeredAgentId === 'hank');
      expect(
        await collections(t.mongo.db).agents.findOne({ agentId: 'gina', tenantId }),
      ).toMatchObject({ status: 'away' });
      expect(await t.deps.router.sessionsOf(tenantId, 'gina')).toEqual([]);
    });
  });
});

describe('chatting, transfer and close', () => {
  it('when the agent replied and the shopper stays silent, then a warning comes at warnAfter and the close closeAfter later', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk(
      { ivy: 1 },
      { timeouts: { idleWarnMs: 3 * min, idleCloseMs: 2 * min } },
    );
    await t.deps.routing.setStatus(tenantId, 'ivy', 'online');
    await t.run(tq, async () => {
      const { input, handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.phase === 'assigned');
      await handle.signal(chatTurnSignal, { by: 'visitor' });
      await handle.signal(chatTurnSignal, { by: 'agent', agentId: 'ivy' });
      const replied = await until(
        handle,
        (s) => s.firstResponseAt !== undefined && s.lastSpeaker === 'agent',
      );
      await t.env.sleep(3 * min - 2_000);
      expect(await texts(tenantId, input.sessionId)).not.toContain(
        '您已经有一段时间没有回复了，会话将在 2 分钟后自动结束。',
      );
      await t.env.sleep(4_000);
      const warned = await until(handle, (s) => s.idleWarnedAt !== undefined);
      expect(
        Date.parse(warned.idleWarnedAt ?? '') - Date.parse(replied.lastAgentAt ?? ''),
      ).toBeLessThan(3 * min + 1_000);
      expect(await texts(tenantId, input.sessionId)).toContain(
        '您已经有一段时间没有回复了，会话将在 2 分钟后自动结束。',
      );
      await t.env.sleep(2 * min + 1_000);
      const closed = await until(handle, (s) => s.phase === 'closed');
      expect(closed.closeReason).toBe('idle');
      expect(
        Date.parse(closed.closedAt ?? '') - Date.parse(warned.idleWarnedAt ?? ''),
      ).toBeLessThan(2 * min + 1_000);
      expect(await texts(tenantId, input.sessionId)).toEqual(
        expect.arrayContaining([zh.idleClosed, zh.ratingInvite]),
      );
      expect(await t.deps.router.sessionsOf(tenantId, 'ivy')).toEqual([]);
    });
  });

  it('when the shopper answers the warning, then the countdown starts again from the next agent reply', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk(
      { jack: 1 },
      { timeouts: { idleWarnMs: 3 * min, idleCloseMs: 2 * min } },
    );
    await t.deps.routing.setStatus(tenantId, 'jack', 'online');
    await t.run(tq, async () => {
      const { handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.phase === 'assigned');
      await handle.signal(chatTurnSignal, { by: 'agent', agentId: 'jack' });
      await t.env.sleep(3 * min + 1_000);
      await until(handle, (s) => s.idleWarnedAt !== undefined);
      await handle.signal(chatTurnSignal, { by: 'visitor' });
      await until(handle, (s) => s.idleWarnedAt === undefined);
      await t.env.sleep(10 * min);
      // The shopper spoke last: no countdown runs.
      expect((await handle.query(stateQuery)).phase).toBe('assigned');
    });
  });

  it('when the agent does not answer within the SLA, then a breach is recorded once', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({ kim: 1 }, { timeouts: { firstResponseSlaMs: 60_000 } });
    await t.deps.routing.setStatus(tenantId, 'kim', 'online');
    await t.run(tq, async () => {
      const { input, handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.phase === 'assigned');
      await t.env.sleep(61_000);
      await until(handle, (s) => s.slaBreached === true);
      const doc = await collections(t.mongo.db).sessions.findOne({ _id: input.sessionId });
      expect(doc?.slaBreachedAt).toBeInstanceOf(Date);
    });
  });

  it('when the agent transfers, then only valid targets are accepted and the seat moves atomically', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({ lee: 2, max: 2, ned: 2 }, {}, { default: {}, vip: {} });
    await t.deps.routing.configureAgent(tenantId, { agentId: 'ola', capacity: 1, groups: ['vip'] });
    for (const a of ['lee', 'max', 'ola']) await t.deps.routing.setStatus(tenantId, a, 'online');
    await t.run(tq, async () => {
      const { input, handle } = await openSession(tq, tenantId);
      const first = await until(handle, (s) => s.phase === 'assigned');
      const from = first.agentId ?? '';
      const lee = { type: 'agent' as const, agentId: from, supervisor: false };

      // Not the session's agent; offline target; both targets: refused, nothing changed.
      await expect(
        handle.executeUpdate(transferUpdate, {
          args: [{ by: { type: 'agent', agentId: 'zed', supervisor: false }, toAgentId: 'ned' }],
        }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      await expect(
        handle.executeUpdate(transferUpdate, { args: [{ by: lee, toAgentId: 'ned' }] }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      await expect(
        handle.executeUpdate(transferUpdate, {
          args: [{ by: lee, toAgentId: 'max', toGroupId: 'vip' }],
        }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'assigned', agentId: from });
      expect(await t.deps.router.sessionsOf(tenantId, from)).toEqual([input.sessionId]);

      const target = from === 'lee' ? 'max' : 'lee';
      const moved = await handle.executeUpdate(transferUpdate, {
        args: [{ by: lee, toAgentId: target }],
      });
      expect(moved).toMatchObject({ phase: 'assigned', agentId: target });
      expect(await t.deps.router.sessionsOf(tenantId, from)).toEqual([]);
      expect(await t.deps.router.sessionsOf(tenantId, target)).toEqual([input.sessionId]);

      // A supervisor sends it on to the VIP group, where ola takes it.
      await handle.executeUpdate(transferUpdate, {
        args: [{ by: { type: 'agent', agentId: 'sup', supervisor: true }, toGroupId: 'vip' }],
      });
      const vip = await until(handle, (s) => s.phase === 'assigned' && s.agentId === 'ola');
      expect(vip.groupId).toBe('vip');
      expect(vip.transfers.map((x) => [x.fromAgentId, x.toAgentId ?? x.toGroupId])).toEqual([
        [from, target],
        [target, 'vip'],
      ]);
      expect(await t.deps.router.sessionsOf(tenantId, target)).toEqual([]);
      expect(await texts(tenantId, input.sessionId)).toContain(`您的会话已转接给 ${target}。`);
      // Transfers moved by the run loop (patches.ts transferInLoop), a refused one included.
      await recordHistory('agent-transfer-in-loop', await handle.fetchHistory());
    });
  });

  it('when the session closes after an agent, then the shopper may rate once, 1–5, within the window', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({ pat: 1 });
    await t.deps.routing.setStatus(tenantId, 'pat', 'online');
    await t.run(tq, async () => {
      const { input, handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.phase === 'assigned');
      // Too early: not closed yet.
      await expect(handle.executeUpdate(rateUpdate, { args: [{ score: 5 }] })).rejects.toThrow(
        WorkflowUpdateFailedError,
      );
      await handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'visitor' } }] });
      await expect(handle.executeUpdate(rateUpdate, { args: [{ score: 6 }] })).rejects.toThrow(
        WorkflowUpdateFailedError,
      );
      const rated = await handle.executeUpdate(rateUpdate, {
        args: [{ score: 5, comment: '很满意' }],
      });
      expect(rated).toMatchObject({ phase: 'rated', rating: { score: 5, comment: '很满意' } });
      expect(await handle.result()).toMatchObject({ phase: 'rated', closeReason: 'visitor' });
      const doc = await collections(t.mongo.db).sessions.findOne({ _id: input.sessionId });
      expect(doc).toMatchObject({ phase: 'rated', rating: { score: 5, comment: '很满意' } });
      await recordHistory('agent-close-rate-local-activities', await handle.fetchHistory());
    });
  });

  it('when nobody rates within the window, then the workflow ends unrated at the window’s end', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk({ quinn: 1 }, { timeouts: { ratingWindowMs: 24 * 60 * min } });
    await t.deps.routing.setStatus(tenantId, 'quinn', 'online');
    await t.run(tq, async () => {
      const { handle } = await openSession(tq, tenantId);
      await until(handle, (s) => s.phase === 'assigned');
      await handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'ops' } }] });
      const final = await handle.result();
      expect(final).toMatchObject({ phase: 'closed', closeReason: 'ops' });
      expect(final.rating).toBeUndefined();
    });
  });
});

describe('updates refuse bad input', () => {
  it('when an update is malformed or in the wrong phase, then it is refused and nothing changes', async () => {
    const tq = uniqueId('tq');
    const tenantId = await t.tenant();
    await t.run(tq, async () => {
      const { handle } = await openSession(tq, tenantId);
      // Greeted: nothing else happens in the robot phase until the shopper speaks.
      await until(handle, (s) => s.lastActivityAt > s.startedAt);
      const before = await handle.query(stateQuery);
      const refusals = [
        handle.executeUpdate(transferUpdate, { args: [{ by: { type: 'ops' }, toAgentId: 'x' }] }),
        handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'robot' } }] } as never),
        handle.executeUpdate(rateUpdate, { args: [{ score: 3 }] }),
        handle.executeUpdate(acceptOfferUpdate, { args: [{ agentId: 'x' }] }),
      ];
      for (const refusal of refusals)
        await expect(refusal).rejects.toThrow(WorkflowUpdateFailedError);
      expect(await handle.query(stateQuery)).toEqual(before);
      expect(await handle.executeUpdate(requestHumanUpdate)).toMatchObject({ phase: 'queued' });
    });
  });
});
