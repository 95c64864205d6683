import type { temporal } from '@temporalio/proto';
import { createActivities } from '../../activities';
import { defaultTemplates } from '../../domain/flow';
import { messageStore } from '../../stores/messages';
import { closeUpdate, rateUpdate, requestHumanUpdate } from '../../workflows/contract';
import { recordHistory } from '../support/histories';
import { uniqueId } from '../support/stack';
import { untilState, type WorkflowTestEnv, workflowEnvPerTest } from '../support/workflow-env';

/**
 * One step per transition (DESIGN.md §4): each phase change's side effects
 * run as one local activity, and a retried step posts and routes nothing
 * twice.
 */

let t: WorkflowTestEnv;
workflowEnvPerTest((env) => (t = env));

const zh = defaultTemplates['zh-CN'];

const until = untilState;

const texts = async (tenantId: string, sessionId: string) =>
  (await messageStore(t.mongo.db).listAfter(tenantId, sessionId, 0, 100)).messages.map(
    (m) => m.text,
  );

/** The local activities a history ran, in order (each marker names its activity type). */
function localActivitiesOf(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((event) => {
    const data = event.markerRecordedEventAttributes?.details?.['data']?.payloads?.[0]?.data;
    const type = data && /"activity_type":"([^"]+)"/.exec(Buffer.from(data).toString())?.[1];
    return type ? [type] : [];
  });
}

describe('one step per transition', () => {
  it('when a shopper is handed over, queued, assigned, closed and rates, then each transition is one local activity and every notice is posted once', async () => {
    const tq = uniqueId('tq');
    const tenantId = await t.tenant();
    await t.deps.routing.configureAgent(tenantId, {
      agentId: 'ana',
      capacity: 1,
      groups: ['default'],
    });
    const input = t.sessionInput(tenantId);
    await t.run(tq, async () => {
      const handle = await t.start(tq, input);
      await handle.executeUpdate(requestHumanUpdate);
      await until(handle, (s) => s.phase === 'queued' && s.queuePosition === 1);
      await t.deps.routing.setStatus(tenantId, 'ana', 'online');
      await until(handle, (s) => s.phase === 'assigned');
      const closed = await handle.executeUpdate(closeUpdate, {
        args: [{ by: { type: 'agent', agentId: 'ana', supervisor: false } }],
      });
      // Answered once the close's one step ran: the seat is free already.
      expect(closed).toMatchObject({ phase: 'closed', closeReason: 'agent' });
      expect(await t.deps.router.sessionsOf(tenantId, 'ana')).toEqual([]);
      await handle.executeUpdate(rateUpdate, { args: [{ score: 4 }] });
      expect(await handle.result()).toMatchObject({ phase: 'rated', rating: { score: 4 } });

      expect(await texts(tenantId, input.sessionId)).toEqual([
        zh.greeting,
        zh.handover,
        zh.queued.replace('{position}', '1'),
        zh.agentJoined.replace('{agent}', 'ana'),
        zh.closed,
        zh.ratingInvite,
        zh.ratingThanks,
      ]);
      const history = await handle.fetchHistory();
      expect(localActivitiesOf(history)).toEqual([
        'openSession',
        'handOver',
        'enterPhase',
        'closeSession',
        'enterPhase',
      ]);
      await recordHistory('one-step-transitions', history);
    });
  });

  it('when a hand-over or a close step is retried, then nothing is posted, queued or released twice', async () => {
    const tenantId = await t.tenant();
    const activities = createActivities(t.deps);
    const input = t.sessionInput(tenantId);
    await t.deps.sessions.claimOpen(tenantId, input.visitor.id, input.sessionId);
    const flow = await activities.openSession({
      transition: { name: 'open', id: `${input.sessionId}/1-open` },
      input,
      startedAt: new Date().toISOString(),
      greetingPurpose: 'greeting',
    });
    const handOver = {
      transition: { name: 'hand-over' as const, id: `${input.sessionId}/2-hand-over` },
      tenantId,
      sessionId: input.sessionId,
      visitorId: input.visitor.id,
      groupId: 'default',
      priority: 0,
      enqueuedAt: Date.now(),
      maxLength: 10,
      stickyWindowMs: 0,
      templates: flow.templates,
      purposes: { handover: 'handover', offHours: 'off-hours', position: 'queue-2' },
    };
    const first = await activities.handOver(handOver);
    const retried = await activities.handOver(handOver);
    expect(first).toMatchObject({ open: true, outcome: { status: 'queued', position: 1 } });
    expect(retried).toEqual(first);
    expect(await t.deps.router.queueLength(tenantId, 'default')).toBe(1);

    const close = {
      transition: { name: 'close' as const, id: `${input.sessionId}/3-close` },
      input,
      from: 'queued' as const,
      agentId: undefined,
      closedAt: new Date().toISOString(),
      reason: 'abandoned' as const,
      abandoned: true,
      notice: { purpose: 'closed', text: flow.templates.closed, sender: 'system' as const },
    };
    await activities.closeSession(close);
    await activities.closeSession(close);
    expect(await t.deps.router.queueLength(tenantId, 'default')).toBe(0);
    expect(await texts(tenantId, input.sessionId)).toEqual([
      zh.greeting,
      zh.handover,
      zh.queued.replace('{position}', '1'),
      zh.closed,
    ]);
    expect(await t.deps.sessions.get(tenantId, input.sessionId)).toMatchObject({
      phase: 'closed',
      closeReason: 'abandoned',
    });
  });
});
