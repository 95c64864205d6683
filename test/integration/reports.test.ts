import type { Db } from 'mongodb';
import type { EventType } from '../../domain/events';
import type { SenderType } from '../../domain/message';
import { workingHoursSchema } from '../../domain/working-hours';
import { eventOutbox, type Outbox } from '../../events/outbox';
import { rebuildReports } from '../../reports/rebuild';
import { reportingOutbox } from '../../reports/outbox';
import { reportRecorder } from '../../reports/record';
import { collections, type AgentDoc, type SessionDoc } from '../../stores/collections';
import { anyGroup, hoursStore } from '../../stores/hours';
import { messageKey } from '../../stores/message-docs';
import { call, callOk, operatorTenant, testOperatorToken } from '../support/api-client';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';

/**
 * Reports: a scripted day of sessions, written through the same store
 * functions the session steps call (the outbox that records their events
 * records the report facts), with explicit times, in Europe/Berlin across
 * its spring DST night (2026-03-29: 02:00 CET becomes 03:00 CEST, 01:00Z),
 * gives the figures computed by hand below.
 */

let engine: TestEngine;
let outbox: Outbox;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken }, { inProcessWorker: false });
  outbox = reportingOutbox(eventOutbox(engine.db), reportRecorder(engine.db));
});
afterAll(async () => {
  await engine.close();
});

const t = (iso: string) => new Date(iso);

/** A session as its steps write it: projection patches, each followed by its event. */
function scripted(db: Db, tenantId: string) {
  const { sessions, messages } = collections(db);
  let n = 0;
  return async function session(
    startedAt: string,
    script: (s: {
      step: (
        patch: Partial<SessionDoc>,
        type: EventType,
        push?: SessionDoc['transfers'],
      ) => Promise<void>;
      say: (
        by: SenderType,
        at: string,
        opts?: { id?: string; messageId?: string },
      ) => Promise<void>;
    }) => Promise<void>,
  ): Promise<string> {
    const sessionId = uniqueId(`s${++n}`);
    await sessions.insertOne({
      _id: sessionId,
      tenantId,
      visitorId: uniqueId('v'),
      channel: 'web',
      entry: { type: 'order' },
      phase: 'robot',
      startedAt: t(startedAt),
    });
    let seq = 0;
    let visitors = 0;
    let occurrence = 0;
    await script({
      async step(patch, type, push) {
        await sessions.updateOne(
          { _id: sessionId },
          { $set: patch, ...(push ? { $push: { transfers: { $each: push } } } : {}) },
        );
        await outbox.record({
          tenantId,
          type,
          key: `${sessionId}:${++occurrence}`,
          data: {},
          sessionId,
        });
      },
      async say(by, at, opts = {}) {
        seq++;
        if (by === 'visitor') visitors++;
        await messages.insertOne({
          _id: messageKey(tenantId, sessionId, seq),
          tenantId,
          sessionId,
          seq,
          messageId: opts.messageId ?? `${by}:${seq}`,
          kind: by === 'system' ? 'system' : 'text',
          sender: { type: by, ...(opts.id ? { id: opts.id } : {}) },
          text: 'hello',
          visitorCount: visitors,
          createdAt: t(at),
        });
      },
    });
    return sessionId;
  };
}

async function berlinTenant() {
  const { tenantId, adminKey } = await operatorTenant(engine.app);
  for (const g of ['g1', 'g2'])
    await callOk(engine.app, 'PUT', `/api/v1/groups/${g}`, { token: adminKey, body: {} });
  for (const a of ['a1', 'a2']) {
    await callOk(engine.app, 'PUT', `/api/v1/agents/${a}`, {
      token: adminKey,
      body: { capacity: 3, groups: ['g1', 'g2'], password: 'correct horse battery' },
    });
  }
  await hoursStore(engine.db).put(
    tenantId,
    anyGroup,
    'reception',
    workingHoursSchema.parse({ timeZone: 'Europe/Berlin', weekly: {} }),
  );
  return { tenantId, adminKey };
}

/** The scripted day; each session's expected share is worked out in the test below. */
async function scriptDay(tenantId: string) {
  const session = scripted(engine.db, tenantId);
  const ids: Record<string, string> = {};
  // S1, 01:30 CET: robot, handover to g1, a1 after 120 s, replies in 90 s and (after the DST jump) 20 s; rated 5.
  ids.s1 = await session('2026-03-29T00:30:00Z', async ({ step, say }) => {
    await say('visitor', '2026-03-29T00:30:10Z');
    await say('robot', '2026-03-29T00:30:11Z');
    await say('system', '2026-03-29T00:31:00Z', { messageId: 'wf:handover' });
    await step(
      { phase: 'queued', groupId: 'g1', enqueuedAt: Date.parse('2026-03-29T00:31:00Z') },
      'session.queued',
    );
    await say('visitor', '2026-03-29T00:32:00Z');
    await step(
      { phase: 'assigned', agentId: 'a1', assignedAt: t('2026-03-29T00:33:00Z') },
      'session.assigned',
    );
    await say('system', '2026-03-29T00:33:00Z', { messageId: 'wf:joined-1' });
    await say('agent', '2026-03-29T00:33:30Z', { id: 'a1' });
    await say('visitor', '2026-03-29T01:10:00Z');
    await say('agent', '2026-03-29T01:10:20Z', { id: 'a1' });
    await step(
      { phase: 'closed', closedAt: t('2026-03-29T01:20:00Z'), closeReason: 'agent' },
      'session.closed',
    );
    await step(
      { phase: 'rated', rating: { score: 5, at: t('2026-03-29T01:25:00Z') } },
      'session.rated',
    );
  });
  // S2: queued in g1, overflows to g2, leaves the queue (abandoned); its message is never answered.
  ids.s2 = await session('2026-03-29T08:00:00Z', async ({ step, say }) => {
    await say('system', '2026-03-29T08:01:00Z', { messageId: 'wf:handover' });
    await step(
      { phase: 'queued', groupId: 'g1', enqueuedAt: Date.parse('2026-03-29T08:01:00Z') },
      'session.queued',
    );
    await say('visitor', '2026-03-29T08:02:00Z');
    await step({ groupId: 'g2', enqueuedAt: Date.parse('2026-03-29T08:03:00Z') }, 'session.queued');
    await step(
      {
        phase: 'closed',
        closedAt: t('2026-03-29T08:05:00Z'),
        closeReason: 'abandoned',
        abandoned: true,
      },
      'session.closed',
    );
  });
  // S3: g1, a1 after 30 s, replies 23 h later, transfers to a2, who replies 25 h later; SLA breached; rated 1 two days on.
  ids.s3 = await session('2026-03-29T09:00:00Z', async ({ step, say }) => {
    await say('system', '2026-03-29T09:00:30Z', { messageId: 'wf:handover' });
    await step(
      { phase: 'queued', groupId: 'g1', enqueuedAt: Date.parse('2026-03-29T09:00:30Z') },
      'session.queued',
    );
    await step(
      { phase: 'assigned', agentId: 'a1', assignedAt: t('2026-03-29T09:01:00Z') },
      'session.assigned',
    );
    await say('system', '2026-03-29T09:01:00Z', { messageId: 'wf:joined-1' });
    await say('visitor', '2026-03-29T09:02:00Z');
    await step({ slaBreachedAt: t('2026-03-29T09:06:00Z') }, 'session.opened');
    await say('agent', '2026-03-30T08:02:00Z', { id: 'a1' });
    await step({ agentId: 'a2', assignedAt: t('2026-03-30T08:03:00Z') }, 'session.transferred', [
      { at: t('2026-03-30T08:03:00Z'), fromAgentId: 'a1', toAgentId: 'a2' },
    ]);
    await say('visitor', '2026-03-30T08:05:00Z');
    await say('agent', '2026-03-31T09:05:00Z', { id: 'a2' });
    await step(
      { phase: 'closed', closedAt: t('2026-03-31T09:10:00Z'), closeReason: 'visitor' },
      'session.closed',
    );
    await step(
      { phase: 'rated', rating: { score: 1, at: t('2026-03-31T09:11:00Z') } },
      'session.rated',
    );
  });
  // S4: the robot alone.
  ids.s4 = await session('2026-03-29T12:00:00Z', async ({ step, say }) => {
    await say('visitor', '2026-03-29T12:00:05Z');
    await say('robot', '2026-03-29T12:00:06Z');
    await step(
      { phase: 'closed', closedAt: t('2026-03-29T12:10:00Z'), closeReason: 'robot_idle' },
      'session.closed',
    );
  });
  // S5: left a message.
  ids.s5 = await session('2026-03-29T13:00:00Z', async ({ step }) => {
    await step({ phase: 'leave_message' }, 'session.opened');
    await step(
      { phase: 'closed', closedAt: t('2026-03-29T13:05:00Z'), closeReason: 'left_message' },
      'session.closed',
    );
  });
  // S6, S7, S8: g2, a2 after 10 s / 20 s / 20 s; S6 never answered (rated 3), S7 and S8 answered in 5 s (rated 2 and 4).
  const served = (start: string, waitS: number, replyS: number | null, score: number) =>
    session(start, async ({ step, say }) => {
      const at = (s: number) => new Date(Date.parse(start) + s * 1000).toISOString();
      await say('system', at(0), { messageId: 'wf:handover' });
      await step(
        { phase: 'queued', groupId: 'g2', enqueuedAt: Date.parse(at(0)) },
        'session.queued',
      );
      await step(
        { phase: 'assigned', agentId: 'a2', assignedAt: t(at(waitS)) },
        'session.assigned',
      );
      await say('system', at(waitS), { messageId: 'wf:joined-1' });
      await say('visitor', at(60));
      if (replyS !== null) await say('agent', at(60 + replyS), { id: 'a2' });
      await step(
        {
          phase: 'closed',
          closedAt: t(at(600)),
          closeReason: replyS === null ? 'visitor' : 'agent',
        },
        'session.closed',
      );
      await step({ phase: 'rated', rating: { score, at: t(at(660)) } }, 'session.rated');
    });
  ids.s6 = await served('2026-03-29T14:00:00Z', 10, null, 3);
  ids.s7 = await served('2026-03-29T15:00:00Z', 20, 5, 2);
  ids.s8 = await served('2026-03-29T16:00:00Z', 20, 5, 4);
  return ids;
}

interface Figs {
  [k: string]: unknown;
}
const get = async (path: string, token: string) =>
  (await callOk(engine.app, 'GET', path, { token })) as Figs;
const figuresOf = (body: Figs) => body.figures as Figs;

describe('reports', () => {
  it('when a scripted day across the Berlin DST night is recorded, then the tenant, group and agent figures are those computed by hand', async () => {
    const { tenantId, adminKey } = await berlinTenant();
    await scriptDay(tenantId);

    // The day 2026-03-29 (local): sessions S1–S8 started on it.
    const day = figuresOf(
      await get('/api/v1/reports/summary?from=2026-03-29&to=2026-03-29', adminKey),
    );
    expect(day).toEqual({
      sessions: 8,
      consultations: 7, // all but S4
      robotOnly: 1,
      robotResolutionRate: 1 / 8,
      tickets: 1, // S5
      handled: 5, // S1, S3, S6, S7, S8
      shopperMessages: 7, // S1 ×2, S2, S3 (09:02), S6, S7, S8
      replyRate24h: 5 / 7, // S1 ×2, S3 (23 h), S7, S8
      firstResponseWithinSlaRate: 3 / 5, // S1, S7, S8 (S3 breached, S6 never answered)
      firstResponseMeanS: (90 + 82800 + 5 + 5) / 4,
      firstResponseP50S: 5, // 5, 5, 90, 82800: the 2nd is in the ≤5 s bucket
      firstResponseP90S: 82800, // the top value, the 86400 s bucket capped at the max
      responseMeanS: (90 + 20 + 82800 + 5 + 5) / 5,
      responseP90S: 82800,
      ratings: 4, // 5 (S1), 3, 2, 4; S3's 1 is given on the 31st
      satisfactionRate: 2 / 4,
      ratingParticipation: 4 / 5,
      meanScore: (5 + 3 + 2 + 4) / 4,
      scoreDistribution: { '1': 0, '2': 1, '3': 1, '4': 1, '5': 1 },
      queued: 7, // S1, S2 twice, S3, S6, S7, S8
      queueWaitMeanS: (120 + 30 + 10 + 20 + 20) / 5,
      queueWaitP90S: 120,
      abandoned: 1,
      abandonmentRate: 1 / 7,
      overflowed: 1,
      transfers: 0, // S3's is on the 30th
      silentAgent: 0,
      closeReasons: { agent: 3, abandoned: 1, visitor: 2, robot_idle: 1, left_message: 1 },
      // No agent was ever online: no agent time, no occupancy.
      onlineS: 0,
      awayS: 0,
      busyS: 0,
      occupancy: null,
      meanLoad: null,
    });

    // Three days: S3's second message (25 h, not within 24 h) and transfer on the 30th, its rating on the 31st.
    const range = await get('/api/v1/reports/summary?from=2026-03-29&to=2026-03-31', adminKey);
    expect(figuresOf(range)).toMatchObject({
      shopperMessages: 8,
      replyRate24h: 5 / 8,
      responseMeanS: (90 + 20 + 82800 + 5 + 5 + 90000) / 6,
      ratings: 5,
      satisfactionRate: 2 / 5,
      scoreDistribution: { '1': 1, '2': 1, '3': 1, '4': 1, '5': 1 },
      transfers: 1,
    });
    expect(range).toMatchObject({
      timeZone: 'Europe/Berlin',
      previous: { from: '2026-03-26', to: '2026-03-28' },
    });

    const agents = (await get('/api/v1/reports/agents?from=2026-03-29&to=2026-03-31', adminKey))
      .items as Figs[];
    expect(agents.map((a) => a.agentId)).toEqual(['a1', 'a2']);
    expect(agents[0]?.figures).toMatchObject({
      handled: 2, // S1, S3 (passed on)
      shopperMessages: 3, // S1 ×2, S3's first, each answered by a1
      replyRate24h: 1,
      firstResponseMeanS: (90 + 82800) / 2,
      queued: 2,
      queueWaitMeanS: (120 + 30) / 2,
      ratings: 1,
      satisfactionRate: 1,
      transfers: 1,
    });
    expect(agents[1]?.figures).toMatchObject({
      handled: 4, // S3, S6, S7, S8
      shopperMessages: 4, // S3's second (25 h), S6 (never), S7, S8
      replyRate24h: 2 / 4,
      firstResponseMeanS: 5,
      queued: 3,
      ratings: 4, // 1, 3, 2, 4
      satisfactionRate: 1 / 4,
      transfers: 0,
    });

    const groups = (await get('/api/v1/reports/groups?from=2026-03-29&to=2026-03-31', adminKey))
      .items as Figs[];
    expect(
      groups.map((g) => [
        g.groupId,
        (g.figures as Figs).shopperMessages,
        (g.figures as Figs).replyRate24h,
      ]),
    ).toEqual([
      ['g1', 4, 3 / 4], // S1 ×2, S3 ×2
      ['g2', 4, 2 / 4], // S2 (it ended in g2), S6, S7, S8
    ]);
    expect(groups[1]?.figures).toMatchObject({ queued: 4, abandoned: 1, abandonmentRate: 1 / 4 });

    // Local hours of the DST day: 23, no 02:00; S1 started at 01:30 CET, its second message at 03:10 CEST.
    const hours = await get(
      '/api/v1/reports/timeseries?from=2026-03-29&to=2026-03-29&granularity=hour',
      adminKey,
    );
    const points = hours.points as { start: string; label: string; figures: Figs }[];
    expect(points).toHaveLength(23);
    expect(points.map((p) => p.label)).not.toContain('2026-03-29T02:00');
    expect(points[0]).toMatchObject({
      start: '2026-03-28T23:00:00.000Z',
      label: '2026-03-29T00:00',
    });
    expect(points[1]).toMatchObject({
      start: '2026-03-29T00:00:00.000Z',
      label: '2026-03-29T01:00',
      figures: { sessions: 1, shopperMessages: 1 },
    });
    expect(points[2]).toMatchObject({
      start: '2026-03-29T01:00:00.000Z',
      label: '2026-03-29T03:00',
      figures: { sessions: 0, shopperMessages: 1, ratings: 1 },
    });
    const daily = await get(
      '/api/v1/reports/timeseries?from=2026-03-28&to=2026-03-30&granularity=day',
      adminKey,
    );
    expect(
      (daily.points as { label: string; figures: Figs }[]).map((p) => [
        p.label,
        p.figures.sessions,
        p.figures.shopperMessages,
      ]),
    ).toEqual([
      ['2026-03-28', 0, 0],
      ['2026-03-29', 8, 7],
      ['2026-03-30', 0, 1],
    ]);
  });

  it('when a step is retried (the same facts recorded again, or a worker died between a fact and its rollup), then each counts once, and a rebuild agrees', async () => {
    const { tenantId, adminKey } = await berlinTenant();
    const ids = await scriptDay(tenantId);
    const path = '/api/v1/reports/summary?from=2026-03-29&to=2026-03-31';
    const once = await get(path, adminKey);
    // Every event again, as a retried step records it.
    for (const sessionId of Object.values(ids)) {
      for (const type of [
        'session.queued',
        'session.assigned',
        'session.closed',
        'session.rated',
      ] as const) {
        await outbox.record({ tenantId, type, key: `${sessionId}:retry`, data: {}, sessionId });
      }
    }
    expect(await get(path, adminKey)).toEqual(once);
    // A worker died after the fact and before its rollup: the rollups and the dirty marks are gone.
    const { reportRollups, reportDirty } = collections(engine.db);
    await reportRollups.deleteMany({ tenantId });
    await reportDirty.deleteMany({ tenantId });
    await outbox.record({
      tenantId,
      type: 'session.closed',
      key: 'retry-2',
      data: {},
      sessionId: ids.s1 ?? '',
    });
    await outbox.record({
      tenantId,
      type: 'session.closed',
      key: 'retry-3',
      data: {},
      sessionId: ids.s3 ?? '',
    });
    await outbox.record({
      tenantId,
      type: 'session.rated',
      key: 'retry-4',
      data: {},
      sessionId: ids.s3 ?? '',
    });
    expect(await get(path, adminKey)).toEqual(once);
    // A rebuild from the stored sessions and messages agrees with the live rollups.
    await rebuildReports(engine.db, { tenantId, from: '2026-03-29', to: '2026-03-31' });
    expect(await get(path, adminKey)).toEqual(once);
  });

  it('when agents go online, away and offline around the sessions they hold, then online, away and busy time, occupancy and mean load are those computed by hand, per agent, per hour and per local day', async () => {
    const { tenantId, adminKey } = await berlinTenant();
    // The status changes as the agent store leaves them, each handed to the outbox with its event.
    const statuses = async (agentId: string, changes: [AgentDoc['status'], string][]) => {
      for (const [i, [status, at]] of changes.entries()) {
        const before = changes[i - 1];
        const agent: AgentDoc = {
          _id: `${tenantId}:${agentId}`,
          tenantId,
          agentId,
          capacity: 3,
          groups: ['g1'],
          status,
          statusChangedAt: t(at),
          updatedAt: t(at),
          ...(before ? { previousStatus: before[0], previousStatusChangedAt: t(before[1]) } : {}),
        };
        await outbox.record(
          {
            tenantId,
            type: 'agent.status_changed',
            key: `${agentId}:${Date.parse(at)}`,
            data: { agentId, status },
          },
          { agent },
        );
      }
    };
    // a1 (times UTC; Berlin is UTC+2 after the night's jump): online 07:00–08:00, away 08:00–08:30,
    // online 08:30–10:00, then offline. a2 online 22:00 on the 28th to 00:30 (local midnight is 23:00).
    await statuses('a1', [
      ['online', '2026-03-29T07:00:00Z'],
      ['away', '2026-03-29T08:00:00Z'],
      ['online', '2026-03-29T08:30:00Z'],
      ['offline', '2026-03-29T10:00:00Z'],
    ]);
    await statuses('a2', [
      ['online', '2026-03-28T22:00:00Z'],
      ['offline', '2026-03-29T00:30:00Z'],
    ]);
    const session = scripted(engine.db, tenantId);
    const held = (agentId: string, from: string, to: string) =>
      session(from, async ({ step }) => {
        await step(
          { phase: 'queued', groupId: 'g1', enqueuedAt: Date.parse(from) },
          'session.queued',
        );
        await step({ phase: 'assigned', agentId, assignedAt: t(from) }, 'session.assigned');
        await step({ phase: 'closed', closedAt: t(to), closeReason: 'agent' }, 'session.closed');
      });
    await held('a1', '2026-03-29T07:10:00Z', '2026-03-29T07:40:00Z'); // X1
    await held('a1', '2026-03-29T07:30:00Z', '2026-03-29T08:15:00Z'); // X2: its last 15 min a1 is away
    // X3: a1 from 09:00, passed to a2 (offline) at 09:20, closed 09:50.
    await session('2026-03-29T09:00:00Z', async ({ step }) => {
      await step(
        { phase: 'queued', groupId: 'g1', enqueuedAt: Date.parse('2026-03-29T09:00:00Z') },
        'session.queued',
      );
      await step(
        { phase: 'assigned', agentId: 'a1', assignedAt: t('2026-03-29T09:00:00Z') },
        'session.assigned',
      );
      await step({ agentId: 'a2', assignedAt: t('2026-03-29T09:20:00Z') }, 'session.transferred', [
        { at: t('2026-03-29T09:20:00Z'), fromAgentId: 'a1', toAgentId: 'a2' },
      ]);
      await step(
        { phase: 'closed', closedAt: t('2026-03-29T09:50:00Z'), closeReason: 'agent' },
        'session.closed',
      );
    });

    const min = 60;
    const agents = (await get('/api/v1/reports/agents?from=2026-03-29&to=2026-03-29', adminKey))
      .items as Figs[];
    expect(agents.map((a) => a.agentId)).toEqual(['a1', 'a2']);
    // a1: online 60 + 90 min; busy = online ∩ (07:10–08:15 ∪ 09:00–09:20) = 50 + 20 min;
    // held = X1 30 + X2 30 (its away quarter is not) + X3 20 min.
    expect(agents[0]?.figures).toMatchObject({
      onlineS: 150 * min,
      awayS: 30 * min,
      busyS: 70 * min,
      occupancy: 70 / 150,
      meanLoad: 80 / 150,
    });
    // a2 on the 29th: 00:00–00:30 UTC (01:00–01:30 CET was 23:00–00:30 after local midnight), and X3 held while offline.
    expect(agents[1]?.figures).toMatchObject({
      onlineS: 90 * min,
      awayS: 0,
      busyS: 0,
      occupancy: 0,
      meanLoad: 0,
    });
    const before = (await get('/api/v1/reports/agents?from=2026-03-28&to=2026-03-28', adminKey))
      .items as Figs[];
    expect(before).toEqual([
      { agentId: 'a2', figures: expect.objectContaining({ onlineS: 60 * min }) as unknown },
    ]);
    const tenant = figuresOf(
      await get('/api/v1/reports/summary?from=2026-03-29&to=2026-03-29', adminKey),
    );
    expect(tenant).toMatchObject({
      onlineS: 240 * min,
      awayS: 30 * min,
      busyS: 70 * min,
      occupancy: 70 / 240,
      meanLoad: 80 / 240,
    });
    // The local hour 09:00 CEST (07:00–08:00 UTC): a1 online all of it, busy 50 min, two sessions 30 min each.
    const hours = await get(
      '/api/v1/reports/timeseries?from=2026-03-29&to=2026-03-29&granularity=hour&agentId=a1',
      adminKey,
    );
    const nine = (hours.points as { label: string; figures: Figs }[]).find(
      (p) => p.label === '2026-03-29T09:00',
    );
    expect(nine?.figures).toMatchObject({
      onlineS: 60 * min,
      busyS: 50 * min,
      occupancy: 50 / 60,
      meanLoad: 1,
    });
    // Recorded again (a retried step), and rebuilt: the same figures.
    await statuses('a1', [
      ['online', '2026-03-29T07:00:00Z'],
      ['away', '2026-03-29T08:00:00Z'],
    ]);
    await rebuildReports(engine.db, { tenantId, from: '2026-03-29', to: '2026-03-29' });
    expect(
      figuresOf(await get('/api/v1/reports/summary?from=2026-03-29&to=2026-03-29', adminKey)),
    ).toEqual(tenant);
  });

  it('when an agent’s status is set online, then away, then offline through the API, then the agents report counts the time between the calls', async () => {
    const { adminKey } = await berlinTenant();
    const setStatus = async (status: string) => {
      const sent = Date.now();
      await callOk(engine.app, 'PUT', '/api/v1/agents/a1/status', {
        token: adminKey,
        body: { status },
      });
      return { sent, answered: Date.now() };
    };
    const online = await setStatus('online');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const away = await setStatus('away');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const offline = await setStatus('offline');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(
      new Date(),
    );
    const rows = (
      await get(`/api/v1/reports/agents?from=${today}&to=${today}&agentId=a1`, adminKey)
    ).items as Figs[];
    const f = rows[0]?.figures as { onlineS: number; awayS: number; busyS: number };
    expect(f.onlineS).toBeGreaterThanOrEqual((away.sent - online.answered) / 1000 - 0.001);
    expect(f.onlineS).toBeLessThanOrEqual((away.answered - online.sent) / 1000 + 0.001);
    expect(f.awayS).toBeGreaterThanOrEqual((offline.sent - away.answered) / 1000 - 0.001);
    expect(f.awayS).toBeLessThanOrEqual((offline.answered - away.sent) / 1000 + 0.001);
    expect(f.busyS).toBe(0);
  });

  it('when a whole month is asked, then the per-agent and per-group tables agree with the same days read by day, also after a later fact in that month', async () => {
    const { tenantId, adminKey } = await berlinTenant();
    await scriptDay(tenantId);
    const month = '/api/v1/reports/agents?from=2026-03-01&to=2026-03-31';
    // 2026-03-02 to 2026-03-31 is not a whole month: read by day.
    const byDay = '/api/v1/reports/agents?from=2026-03-02&to=2026-03-31';
    const items = async (path: string) => (await get(path, adminKey)).items;
    expect(await items(month)).toEqual(await items(byDay));
    expect(await items(month.replace('agents', 'groups'))).toEqual(
      await items(byDay.replace('agents', 'groups')),
    );
    // A session of a1 on the 15th, after the month's table was summed.
    const session = scripted(engine.db, tenantId);
    await session('2026-03-15T10:00:00Z', async ({ step }) => {
      await step(
        { phase: 'queued', groupId: 'g1', enqueuedAt: Date.parse('2026-03-15T10:00:00Z') },
        'session.queued',
      );
      await step(
        { phase: 'assigned', agentId: 'a1', assignedAt: t('2026-03-15T10:01:00Z') },
        'session.assigned',
      );
      await step(
        { phase: 'closed', closedAt: t('2026-03-15T10:20:00Z'), closeReason: 'agent' },
        'session.closed',
      );
    });
    const after = (await items(month)) as Figs[];
    expect(after).toEqual(await items(byDay));
    expect((after[0]?.figures as Figs).handled).toBe(3);
  });

  it('when reports are exported as CSV, then each report is a header and its rows, and the conversations export has one row per conversation', async () => {
    const { tenantId, adminKey } = await berlinTenant();
    const ids = await scriptDay(tenantId);
    const raw = async (path: string) => {
      const response = await fetch(`${engine.app.url}${path}`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      return (await response.text()).trimEnd().split('\r\n');
    };
    const agents = await raw('/api/v1/reports/agents?from=2026-03-29&to=2026-03-31&format=csv');
    expect(agents[0]).toMatch(/^agentId,sessions,consultations,/);
    expect(agents.slice(1).map((l) => l.split(',')[0])).toEqual(['a1', 'a2']);
    const conversations = await raw(
      '/api/v1/reports/conversations.csv?from=2026-03-29&to=2026-03-29',
    );
    expect(conversations[0]).toBe(
      'sessionId,startedAt,closedAt,channel,groupId,agentId,firstResponseS,queueWaitS,messages,shopperMessages,transfers,rating,closeReason',
    );
    expect(conversations).toHaveLength(9);
    expect(conversations[1]).toBe(
      `${ids.s1},2026-03-29T00:30:00.000Z,2026-03-29T01:20:00.000Z,web,g1,a1,90,120,8,3,0,5,agent`,
    );
    const g2 = await raw(
      '/api/v1/reports/conversations.csv?from=2026-03-29&to=2026-03-29&groupId=g2',
    );
    expect(g2.slice(1).map((l) => l.split(',')[0])).toEqual([ids.s2, ids.s6, ids.s7, ids.s8]);
  });

  it('when tenant A asks, then tenant B’s figures, groups, agents and conversations are invisible', async () => {
    const b = await berlinTenant();
    await scriptDay(b.tenantId);
    const a = await operatorTenant(engine.app);
    const summary = await get('/api/v1/reports/summary?from=2026-03-29&to=2026-03-31', a.adminKey);
    expect(figuresOf(summary)).toMatchObject({ sessions: 0, shopperMessages: 0, ratings: 0 });
    expect(
      (await get('/api/v1/reports/agents?from=2026-03-29&to=2026-03-31', a.adminKey)).items,
    ).toEqual([]);
    expect(
      await call(
        engine.app,
        'GET',
        '/api/v1/reports/summary?from=2026-03-29&to=2026-03-31&groupId=g1',
        { token: a.adminKey },
      ),
    ).toMatchObject({
      status: 422,
      body: { error: { code: 'invalid_reference', fields: [{ path: 'groupId' }] } },
    });
    expect(
      await call(
        engine.app,
        'GET',
        '/api/v1/reports/agents?from=2026-03-29&to=2026-03-31&agentId=a1',
        { token: a.adminKey },
      ),
    ).toMatchObject({
      status: 422,
      body: { error: { code: 'invalid_reference', fields: [{ path: 'agentId' }] } },
    });
    const response = await fetch(
      `${engine.app.url}/api/v1/reports/conversations.csv?from=2026-03-29&to=2026-03-31`,
      {
        headers: { authorization: `Bearer ${a.adminKey}` },
      },
    );
    expect((await response.text()).trimEnd().split('\r\n')).toHaveLength(1);
  });

  it('when the agent’s gateway clock is behind the workflow’s, then no first response is ever negative (the monitor and the reports)', async () => {
    const { tenantId, adminKey } = await berlinTenant();
    const session = scripted(engine.db, tenantId);
    const now = Date.now();
    const iso = (ms: number) => new Date(now + ms).toISOString();
    // The workflow stamps the assignment at +10 s; the gateway, 4 s behind, stores the
    // shopper's message at +8 s and the agent's reply at +9 s (1 s after it, by its own clock).
    await session(iso(-60_000), async ({ step, say }) => {
      await say('system', iso(-30_000), { messageId: 'wf:handover' });
      await step({ phase: 'queued', groupId: 'g1', enqueuedAt: now - 30_000 }, 'session.queued');
      await step(
        { phase: 'assigned', agentId: 'a1', assignedAt: new Date(now + 10_000) },
        'session.assigned',
      );
      await say('visitor', iso(8_000));
      await say('agent', iso(9_000), { id: 'a1' });
      await step({ firstResponseAt: new Date(now + 9_000) }, 'session.opened');
      await step(
        { phase: 'closed', closedAt: new Date(now + 20_000), closeReason: 'agent' },
        'session.closed',
      );
    });
    const from = new Date(now - 3_600_000).toISOString();
    const live = await get(`/api/v1/stats/live?from=${encodeURIComponent(from)}`, adminKey);
    expect((live.today as Figs).firstResponseMs).toBe(1000);
  });
});
