import type { FlowInput } from '../../domain/flow';
import { turnKey } from '../../messaging/turns';
import { chatTurnSignal, stateQuery } from '../../workflows/contract';
import { recordHistory } from '../support/histories';
import { storedUntold } from '../support/stored-message';
import { uniqueId } from '../support/stack';
import { untilState, type WorkflowTestEnv, workflowEnvPerTest } from '../support/workflow-env';

/**
 * The human phase told only the agent's first reply (patches.ts
 * `turnsAtDeadlines`): every other turn is stored by the fast path and read
 * back at a deadline, and while a turn may be unknown the phase wakes at the
 * earliest moment one could make a deadline due. On the time-skipping
 * server, with turns stored as the fast path stores them and never signalled.
 */

let t: WorkflowTestEnv;
workflowEnvPerTest((env) => (t = env));

const min = 60_000;

/** A tenant whose sessions skip the robot, with one online agent of capacity 1. */
async function desk(agentId: string, flow: FlowInput) {
  const tenantId = await t.tenant({ robot: { enabled: false }, ...flow });
  await t.deps.routing.configureAgent(tenantId, { agentId, capacity: 1, groups: ['default'] });
  await t.deps.routing.setStatus(tenantId, agentId, 'online');
  return tenantId;
}

/** A text stored as the fast path stores it, with nobody told; answers its stored time. */
async function storedOnly(
  tenantId: string,
  sessionId: string,
  sender: { type: 'visitor' | 'agent'; id: string },
): Promise<number> {
  const text = sender.type === 'agent' ? 'here is your tracking number' : 'where is my parcel?';
  const clientMsgId = uniqueId('m');
  const message = await storedUntold(t.mongo.db, {
    tenantId,
    sessionId,
    sender,
    clientMsgId,
    text,
  });
  return Date.parse(message.createdAt);
}

describe('turns read at deadlines', () => {
  it('when an agent reply is never told while the shopper spoke last, then the idle warning still comes warnAfter after it', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk('ivy', { timeouts: { idleWarnMs: 3 * min, idleCloseMs: 2 * min } });
    await t.run(tq, async () => {
      const input = t.sessionInput(tenantId);
      const handle = await t.start(tq, input);
      await untilState(handle, (s) => s.phase === 'assigned');
      // The assignment step told the fast path whose reply to signal.
      expect(await t.redis.hGet(turnKey(tenantId, input.sessionId), 'expect')).toBe('ivy');
      // The first reply is told; then the shopper's turn (as a gateway of an older
      // deploy would tell it), so the workflow knows of no reply it owes a warning.
      await handle.signal(chatTurnSignal, { by: 'agent', agentId: 'ivy' });
      await handle.signal(chatTurnSignal, { by: 'visitor' });
      await untilState(
        handle,
        (s) => s.firstResponseAt !== undefined && s.lastSpeaker === 'visitor',
      );
      const repliedAt = await storedOnly(tenantId, input.sessionId, { type: 'agent', id: 'ivy' });

      await t.env.sleep(repliedAt + 3 * min - 2_000 - (await t.env.currentTimeMs()));
      expect((await handle.query(stateQuery)).idleWarnedAt).toBeUndefined();
      await t.env.sleep(4_000);
      const warned = await untilState(handle, (s) => s.idleWarnedAt !== undefined);
      const lateBy = Date.parse(warned.idleWarnedAt ?? '') - (repliedAt + 3 * min);
      expect(lateBy).toBeGreaterThanOrEqual(0);
      expect(lateBy).toBeLessThan(1_000);
      expect(warned.lastSpeaker).toBe('agent');

      await t.env.sleep(2 * min + 1_000);
      const closed = await untilState(handle, (s) => s.phase === 'closed');
      expect(closed.closeReason).toBe('idle');
      await recordHistory('agent-turns-at-deadlines', await handle.fetchHistory());
    });
  });

  it('when a shopper message is never told after the agent spoke, then the silent agent’s count still runs from it', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk('kai', {
      timeouts: { firstResponseSlaMs: 60 * min, idleWarnMs: 30 * min },
      silentAgent: { afterMinutes: 2, action: 'alert' },
    });
    await t.run(tq, async () => {
      const input = t.sessionInput(tenantId);
      const handle = await t.start(tq, input);
      await untilState(handle, (s) => s.phase === 'assigned');
      await handle.signal(chatTurnSignal, { by: 'agent', agentId: 'kai' });
      await untilState(handle, (s) => s.lastSpeaker === 'agent');
      const askedAt = await storedOnly(tenantId, input.sessionId, {
        type: 'visitor',
        id: input.visitor.id,
      });

      await t.env.sleep(askedAt + 2 * min - 2_000 - (await t.env.currentTimeMs()));
      expect((await handle.query(stateQuery)).agentSilentAt).toBeUndefined();
      await t.env.sleep(4_000);
      const silent = await untilState(handle, (s) => s.agentSilentAt !== undefined);
      const lateBy = Date.parse(silent.agentSilentAt ?? '') - (askedAt + 2 * min);
      expect(lateBy).toBeGreaterThanOrEqual(0);
      expect(lateBy).toBeLessThan(1_000);
      expect(silent).toMatchObject({ phase: 'assigned', agentId: 'kai' });
    });
  });
});
