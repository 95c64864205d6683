import type { FlowInput } from '../../domain/flow';
import { defaultTemplates } from '../../domain/flow';
import { collections } from '../../stores/collections';
import { messageStore } from '../../stores/messages';
import { chatTurnSignal, closeUpdate, stateQuery } from '../../workflows/contract';
import { eventually } from '../support/engine';
import { recordHistory } from '../support/histories';
import { uniqueId } from '../support/stack';
import { untilState, type WorkflowTestEnv, workflowEnvPerTest } from '../support/workflow-env';

/**
 * The flow's silent-agent rule on the time-skipping server: an agent who
 * leaves the shopper unanswered for N minutes loses the session to their
 * group (or a supervisor is alerted), the shopper is told once, and the
 * fact is recorded as a `session.agent_silent` event.
 */

let t: WorkflowTestEnv;
workflowEnvPerTest((env) => (t = env));

const min = 60_000;
const zh = defaultTemplates['zh-CN'];

/** A tenant whose sessions skip the robot, with online agents of capacity 1 in the default group. */
async function desk(agents: string[], flow: FlowInput) {
  // The SLA deadline is kept out of the way (its own tests are in session-agent.test.ts).
  const tenantId = await t.tenant({
    robot: { enabled: false },
    timeouts: { firstResponseSlaMs: 60 * min },
    ...flow,
  });
  for (const agentId of agents) {
    await t.deps.routing.configureAgent(tenantId, { agentId, capacity: 1, groups: ['default'] });
    await t.deps.routing.setStatus(tenantId, agentId, 'online');
  }
  return tenantId;
}

const texts = async (tenantId: string, sessionId: string) =>
  (await messageStore(t.mongo.db).listAfter(tenantId, sessionId, 0, 100)).messages.map(
    (m) => m.text,
  );

const silentEvents = (tenantId: string) =>
  collections(t.mongo.db).events.find({ tenantId, type: 'session.agent_silent' }).toArray();

async function openAssigned(taskQueue: string, tenantId: string) {
  const input = t.sessionInput(tenantId);
  const handle = await t.start(taskQueue, input);
  const state = await untilState(handle, (s) => s.phase === 'assigned');
  return { input, handle, agentId: state.agentId ?? '' };
}

describe('silent agent', () => {
  it('when the agent does not answer within N minutes, then the session is offered back to the group, the agent’s seat freed and the shopper told once', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk(['ann', 'bob'], {
      silentAgent: { afterMinutes: 5, action: 'reoffer' },
    });
    await t.run(tq, async () => {
      const { input, handle, agentId: first } = await openAssigned(tq, tenantId);
      const other = first === 'ann' ? 'bob' : 'ann';
      await t.env.sleep(4 * min);
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'assigned', agentId: first });

      await t.env.sleep(min + 1_000);
      const moved = await untilState(handle, (s) => s.phase === 'assigned' && s.agentId === other);
      expect(moved.transfers).toEqual([
        expect.objectContaining({ fromAgentId: first, toGroupId: 'default', by: 'ops' }),
      ]);
      expect(await t.deps.router.sessionsOf(tenantId, first)).toEqual([]);
      expect(await t.deps.router.sessionsOf(tenantId, other)).toEqual([input.sessionId]);
      await eventually(async () =>
        (await texts(tenantId, input.sessionId)).includes(zh.agentSilentReoffer) ? true : undefined,
      );
      const [event] = await silentEvents(tenantId);
      expect(event?.data).toMatchObject({
        sessionId: input.sessionId,
        silence: { agentId: first, action: 'reoffer', afterMinutes: 5 },
      });

      // The new agent is silent too, with nobody left to take it: it waits in the queue, told once more.
      await t.env.sleep(5 * min + 1_000);
      await untilState(handle, (s) => s.phase === 'queued');
      expect(await t.deps.router.sessionsOf(tenantId, other)).toEqual([]);
      await eventually(async () =>
        (await silentEvents(tenantId)).length === 2 ? true : undefined,
      );
      const told = (await texts(tenantId, input.sessionId)).filter(
        (text) => text === zh.agentSilentReoffer,
      );
      expect(told).toHaveLength(2);
      await recordHistory('agent-silent-reoffer', await handle.fetchHistory());
    });
  });

  it('when the agent answers before N minutes, then the count starts again from the shopper’s next message', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk(['cai', 'dan'], {
      silentAgent: { afterMinutes: 5, action: 'reoffer' },
    });
    await t.run(tq, async () => {
      const { handle, agentId: first } = await openAssigned(tq, tenantId);
      await t.env.sleep(4 * min);
      await handle.signal(chatTurnSignal, { by: 'agent', agentId: first });
      await untilState(handle, (s) => s.lastSpeaker === 'agent');
      // The agent spoke last: no count runs, however long the shopper is quiet.
      await t.env.sleep(2 * min);
      await handle.signal(chatTurnSignal, { by: 'visitor' });
      await untilState(handle, (s) => s.lastSpeaker === 'visitor');
      await t.env.sleep(4 * min);
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'assigned', agentId: first });
      expect(await silentEvents(tenantId)).toEqual([]);

      await t.env.sleep(min + 1_000);
      await untilState(handle, (s) => s.phase === 'assigned' && s.agentId !== first);
    });
  });

  it('when the flow only alerts, then the session stays with its agent, the shopper is told once and the fact recorded', async () => {
    const tq = uniqueId('tq');
    const tenantId = await desk(['eve'], { silentAgent: { afterMinutes: 3, action: 'alert' } });
    await t.run(tq, async () => {
      const { input, handle } = await openAssigned(tq, tenantId);
      await t.env.sleep(3 * min + 1_000);
      const alerted = await untilState(handle, (s) => s.agentSilentAt !== undefined);
      expect(alerted).toMatchObject({ phase: 'assigned', agentId: 'eve', transfers: [] });
      // Still silent, and the shopper writes again: nothing more until the agent's next turn.
      await handle.signal(chatTurnSignal, { by: 'visitor' });
      await t.env.sleep(10 * min);
      expect(await handle.query(stateQuery)).toMatchObject({ phase: 'assigned', agentId: 'eve' });
      expect(await t.deps.router.sessionsOf(tenantId, 'eve')).toEqual([input.sessionId]);
      const told = (await texts(tenantId, input.sessionId)).filter(
        (text) => text === zh.agentSilentAlert,
      );
      expect(told).toHaveLength(1);
      const events = await silentEvents(tenantId);
      expect(events.map((e) => e.data.silence)).toEqual([
        expect.objectContaining({ agentId: 'eve', action: 'alert' }),
      ]);

      // Reports count the silence for eve, at the deadline, once the session's fact is recorded.
      await handle.executeUpdate(closeUpdate, {
        args: [{ by: { type: 'agent', agentId: 'eve', supervisor: false } }],
      });
      const fact = await eventually(
        async () =>
          (await collections(t.mongo.db).reportFacts.findOne({
            _id: `${tenantId}/session:${input.sessionId}`,
          })) ?? undefined,
      );
      const silent = fact.parts.filter((p) => p.figures.silentAgent);
      expect(silent).toEqual([
        expect.objectContaining({ agentId: 'eve', figures: { silentAgent: 1 } }),
      ]);
    });
  });
});
