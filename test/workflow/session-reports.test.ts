import type { SenderType } from '../../domain/message';
import { workingHoursSchema } from '../../domain/working-hours';
import { byScope, summary, timeseries } from '../../reports/queries';
import { collections } from '../../stores/collections';
import { anyGroup, hoursStore } from '../../stores/hours';
import { messageKey } from '../../stores/message-docs';
import {
  chatTurnSignal,
  closeUpdate,
  rateUpdate,
  stateQuery,
  transferUpdate,
} from '../../workflows/contract';
import { uniqueId } from '../support/stack';
import {
  untilState,
  type SessionHandle,
  type WorkflowTestEnv,
  workflowEnvPerTest,
} from '../support/workflow-env';

/**
 * A scripted day of real session workflows on the time-skipping server, in
 * America/New_York on the day its clocks spring forward (2027-03-14: 02:00
 * EST becomes 03:00 EDT at 07:00 UTC, a 23-hour local day), read back
 * through the report queries and compared with figures worked out by hand.
 *
 * The workflows, their timers, the routing, the projection and the report
 * facts are the engine's own: queueing, assignment, transfer, the agent's
 * close, the idle close a day later, abandonment and ratings all happen in
 * the workflows, on the server's virtual clock. The one thing driven from
 * outside is what the gateway does: a chat message is appended through the
 * message store and the turn signalled to the workflow, and the message's
 * time is then set to the virtual instant the script says (the gateway
 * stamps its own wall clock, which does not skip).
 */

jest.setTimeout(240_000);

let t: WorkflowTestEnv;
workflowEnvPerTest((env) => (t = env));

const min = 60_000;
const hour = 60 * min;
const zone = 'America/New_York';

describe('reports of real sessions', () => {
  it('when a New York day across the spring DST change is served by real workflows (answered within a minute, after 23 h, after 25 h, never; rated 1–5; queued, abandoned, transferred), then the tenant, agent and group figures are those computed by hand', async () => {
    const tq = uniqueId('tq');
    const tenantId = await t.tenant(
      {
        robot: { enabled: false },
        locale: 'en',
        // Long enough that a reply within seconds of virtual time is always within it.
        timeouts: { firstResponseSlaMs: 10 * min },
      },
      { default: {} },
    );
    await hoursStore(t.mongo.db).put(
      tenantId,
      anyGroup,
      'reception',
      workingHoursSchema.parse({
        timeZone: zone,
        weekly: Object.fromEntries(
          ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [
            d,
            [{ start: '00:00', end: '24:00' }],
          ]),
        ),
      }),
    );
    for (const agentId of ['a1', 'a2']) {
      await t.deps.routing.configureAgent(tenantId, { agentId, capacity: 6, groups: ['default'] });
    }
    const { sessions } = collections(t.mongo.db);

    /** What the gateway does for a chat line: append, tell the workflow, at the script's instant. */
    const say = async (
      handle: SessionHandle,
      sessionId: string,
      by: Exclude<SenderType, 'system' | 'robot'>,
      at: number,
      agentId?: string,
    ) => {
      const { message } = await t.deps.messages.append({
        tenantId,
        sessionId,
        messageId: uniqueId(by === 'agent' ? `a:${agentId ?? ''}` : 'v'),
        kind: 'text',
        sender: by === 'agent' ? { type: 'agent', id: agentId ?? '' } : { type: 'visitor' },
        text: 'hello',
      });
      await collections(t.mongo.db).messages.updateOne(
        { _id: messageKey(tenantId, sessionId, message.seq) },
        { $set: { createdAt: new Date(at) } },
      );
      await handle.signal(
        chatTurnSignal,
        by === 'agent' ? { by: 'agent', agentId: agentId ?? '' } : { by: 'visitor' },
      );
    };
    const open = async () => {
      const input = t.sessionInput(tenantId);
      return { id: input.sessionId, handle: await t.start(tq, input) };
    };
    const assigned = async (handle: SessionHandle, agentId: string) =>
      Date.parse(
        (await untilState(handle, (s) => s.phase === 'assigned' && s.agentId === agentId))
          .assignedAt ?? '',
      );
    const byAgent = (agentId: string) => ({
      by: { type: 'agent' as const, agentId, supervisor: false },
    });
    const closedWith = async (handle: SessionHandle, reason: string) =>
      untilState(handle, (s) => s.phase === 'closed' && s.closeReason === reason);

    await t.run(tq, async () => {
      // To 00:30 EST on the DST day, in virtual time.
      const dayStart = Date.parse('2027-03-14T05:00:00Z');
      await t.env.sleep(dayStart + 30 * min - (await t.env.currentTimeMs()));

      // F: nobody online; waits, then the shopper gives up: queued and abandoned.
      const f = await open();
      await untilState(f.handle, (s) => s.phase === 'queued');
      await t.env.sleep(2 * min);
      await f.handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'visitor' } }] });

      // Q: waits four minutes until a1 comes online; answered within a minute (30 s); rated 5.
      const q = await open();
      const qQueued = (await untilState(q.handle, (s) => s.phase === 'queued')).enqueuedAt ?? 0;
      await t.env.sleep(4 * min);
      await t.deps.routing.setStatus(tenantId, 'a1', 'online');
      const qAssigned = await assigned(q.handle, 'a1');
      await say(q.handle, q.id, 'visitor', qAssigned + 10_000);
      await say(q.handle, q.id, 'agent', qAssigned + 40_000, 'a1');
      await q.handle.executeUpdate(closeUpdate, { args: [byAgent('a1')] });
      await q.handle.executeUpdate(rateUpdate, { args: [{ score: 5 }] });

      // B, C, D, E: a1 takes each at once (no wait). Each shopper writes a minute in.
      const b = await open();
      const bAsked = (await assigned(b.handle, 'a1')) + min;
      await say(b.handle, b.id, 'visitor', bAsked);
      const c = await open();
      const cAsked = (await assigned(c.handle, 'a1')) + min;
      await say(c.handle, c.id, 'visitor', cAsked);
      // D: never answered; a1 closes it; rated 2.
      const d = await open();
      const dAsked = (await assigned(d.handle, 'a1')) + min;
      await say(d.handle, d.id, 'visitor', dAsked);
      await d.handle.executeUpdate(closeUpdate, { args: [byAgent('a1')] });
      await d.handle.executeUpdate(rateUpdate, { args: [{ score: 2 }] });
      // E: a1 passes it to a2, who answers in 30 s and closes; rated 1.
      const e = await open();
      const eAsked = (await assigned(e.handle, 'a1')) + min;
      await say(e.handle, e.id, 'visitor', eAsked);
      await t.deps.routing.setStatus(tenantId, 'a2', 'online');
      await e.handle.executeUpdate(transferUpdate, {
        args: [{ ...byAgent('a1'), toAgentId: 'a2' }],
      });
      await assigned(e.handle, 'a2');
      await say(e.handle, e.id, 'agent', eAsked + 30_000, 'a2');
      await e.handle.executeUpdate(closeUpdate, { args: [byAgent('a2')] });
      await e.handle.executeUpdate(rateUpdate, { args: [{ score: 1 }] });

      // B answered 23 h after the shopper wrote, C 25 h after: both then close idle, rated 4 and 3.
      for (const [s, asked, lateBy, score] of [
        [b, bAsked, 23 * hour, 4],
        [c, cAsked, 25 * hour, 3],
      ] as const) {
        await t.env.sleep(Math.max(0, asked + lateBy - (await t.env.currentTimeMs())));
        await say(s.handle, s.id, 'agent', asked + lateBy, 'a1');
        await untilState(s.handle, (st) => st.lastSpeaker === 'agent');
        await t.env.sleep(6 * min);
        await closedWith(s.handle, 'idle');
        await s.handle.executeUpdate(rateUpdate, { args: [{ score }] });
      }
      for (const s of [f, q, b, c, d, e]) await s.handle.result();

      // What the workflows stamped, for the one figure that depends on their clock: Q's wait.
      const qDoc = await sessions.findOne({ _id: q.id });
      expect(qDoc?.assignedAt?.getTime()).toBe(qAssigned);
      const qWaitS = (qAssigned - qQueued) / 1000;
      expect(qWaitS).toBeGreaterThanOrEqual(4 * 60);
      expect((await q.handle.query(stateQuery)).phase).toBe('rated');

      const day = { from: '2027-03-14', to: '2027-03-14' };
      const both = { from: '2027-03-14', to: '2027-03-15' };
      const db = t.mongo.db;
      const firstResponses = [30, 23 * 3600, 25 * 3600, 30];
      const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

      // The 14th: all six sessions started at 00:3x EST; B's and C's ratings fall on the 15th.
      const onDay = await summary(db, tenantId, day);
      expect(onDay.timeZone).toBe(zone);
      expect(onDay.figures).toMatchObject({
        sessions: 6,
        consultations: 6,
        robotOnly: 0,
        handled: 5, // Q, B, C, D, E
        shopperMessages: 5, // one each from Q, B, C, D, E
        replyRate24h: 3 / 5, // Q (30 s), B (23 h), E (30 s); not C (25 h), not D (never)
        firstResponseWithinSlaRate: 2 / 5, // Q and E; B and C breached the 10 min SLA, D never answered
        firstResponseMeanS: mean(firstResponses),
        firstResponseP50S: 30,
        firstResponseP90S: 25 * 3600,
        responseMeanS: mean(firstResponses),
        ratings: 3, // Q 5, D 2, E 1
        satisfactionRate: 1 / 3,
        ratingParticipation: 3 / 5,
        scoreDistribution: { '1': 1, '2': 1, '3': 0, '4': 0, '5': 1 },
        queued: 2, // F and Q; the others were taken at once
        queueWaitMeanS: qWaitS,
        abandoned: 1,
        abandonmentRate: 1 / 2,
        transfers: 1,
        closeReasons: { abandoned: 1, agent: 3, idle: 2 },
      });
      const twoDays = await summary(db, tenantId, both);
      expect(twoDays.figures).toMatchObject({
        sessions: 6,
        shopperMessages: 5,
        replyRate24h: 3 / 5,
        ratings: 5,
        satisfactionRate: 2 / 5,
        meanScore: 3,
        scoreDistribution: { '1': 1, '2': 1, '3': 1, '4': 1, '5': 1 },
      });

      // Per agent: E's session is a2's (it ended with a2), a1 handled it too and passed it on.
      const agents = await byScope(db, tenantId, both, 'agent');
      expect(agents.map((a) => a.id)).toEqual(['a1', 'a2']);
      expect(agents[0]?.figures).toMatchObject({
        handled: 5, // Q, B, C, D, and E before the transfer
        shopperMessages: 4, // Q, B, C, D
        replyRate24h: 2 / 4, // Q, B
        firstResponseMeanS: mean([30, 23 * 3600, 25 * 3600]),
        ratings: 4, // 5, 4, 3, 2
        satisfactionRate: 2 / 4,
        queued: 1, // Q's wait ended with a1
        transfers: 1,
      });
      expect(agents[1]?.figures).toMatchObject({
        handled: 1,
        shopperMessages: 1,
        replyRate24h: 1,
        firstResponseMeanS: 30,
        ratings: 1,
        satisfactionRate: 0,
        scoreDistribution: { '1': 1, '2': 0, '3': 0, '4': 0, '5': 0 },
        transfers: 0,
      });
      // One group: it has every session of the tenant.
      const groups = await byScope(db, tenantId, both, 'group');
      expect(groups.map((g) => g.id)).toEqual(['default']);
      expect(groups[0]?.figures).toMatchObject({
        sessions: 6,
        handled: 5,
        replyRate24h: 3 / 5,
        ratings: 5,
        queued: 2,
        abandoned: 1,
      });

      // The local day has 23 hours, no 02:00; the sessions started in its 00:00 hour.
      const hours = await timeseries(db, tenantId, day, 'hour');
      expect(hours.points).toHaveLength(23);
      expect(hours.points.map((p) => p.label)).not.toContain('2027-03-14T02:00');
      expect(hours.points[0]).toMatchObject({
        start: '2027-03-14T05:00:00.000Z',
        label: '2027-03-14T00:00',
        figures: { sessions: 6 },
      });
      expect(hours.points[2]).toMatchObject({
        start: '2027-03-14T07:00:00.000Z',
        label: '2027-03-14T03:00',
      });
    });
  });
});
