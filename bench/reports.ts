import { performance } from 'node:perf_hooks';
import type { Db } from 'mongodb';
import {
  addTiming,
  compactFigures,
  csvLine,
  daysBetween,
  emptyFigures,
  localHour,
  localMidnight,
  mergeFigures,
  type Figures,
} from '../domain/reports';
import { byScope, summary, timeseries } from '../reports/queries';
import { workingHoursSchema } from '../domain/working-hours';
import { anyGroup, hoursStore } from '../stores/hours';
import { collections, type ReportRollupDoc, type ReportTableDoc } from '../stores/collections';
import { ensureIndexes } from '../stores/indexes';
import { messageKey } from '../stores/message-docs';
import type { SenderType } from '../domain/message';
import { eventOutbox } from '../events/outbox';
import { reportingOutbox } from '../reports/outbox';
import { reportRecorder } from '../reports/record';
import { fmt, summarize } from './stats';
import { startBenchStack } from './support/stack';

/**
 * `npm run bench:reports`, on the embedded stack (FerretDB on SQLite): a
 * year of rollups for a tenant with BENCH_AGENTS agents (default 1,000) in
 * BENCH_GROUPS groups, written as the refresh writes them (compact figures,
 * each day with its eight busy hours), then the p50/p99 of:
 *  - one agent's one-year report: its summary (with the previous year
 *    beside it) and its per-day time series;
 *  - the same agent's one-year per-day CSV export, read to the end;
 *  - the per-agent table of every agent over the year (BENCH_TABLE_DAYS):
 *    its first read, which sums each whole month's day tables (one document
 *    a day) into a month table, and then reads, which take the twelve month
 *    tables;
 *  - what the report facts add to a session's steps: BENCH_STEP_SESSIONS
 *    stored sessions (ten messages, a wait, an agent, a rating) have their
 *    queued, assigned, closed and rated events recorded through the outbox
 *    (handed the session, as a step does) with reports on, and as many through the plain outbox, interleaved in
 *    one run; the added milliseconds per session, beside a session's time.
 * BENCH_DAYS=0 runs only the last.
 */

const AGENTS = Number(process.env.BENCH_AGENTS ?? 1_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 10);
/**
 * Agents that also get their own per-day rollup documents (the one-agent
 * report reads those by key; every agent is in the day tables). Writing
 * 365,000 documents into FerretDB on SQLite takes about an hour here.
 */
const AGENT_ROLLUPS = Number(process.env.BENCH_AGENT_ROLLUPS ?? 20);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const TABLE_DAYS = Number(process.env.BENCH_TABLE_DAYS ?? DAYS);
const TABLE_RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 5);
const TENANT = 'bench-reports';
const TZ = 'Europe/Berlin';

/** A plausible hour of one agent: a few sessions, replies, a rating. */
function hourFigures(seed: number): Figures {
  const f = emptyFigures();
  f.sessions = 1 + (seed % 3);
  f.consultations = f.sessions;
  f.handled = f.sessions;
  f.withinSla = f.sessions - (seed % 2);
  f.queued = f.sessions;
  f.shopperMessages = 4 + (seed % 5);
  f.replied24h = f.shopperMessages - (seed % 2);
  f.invited = f.sessions;
  f.ratings[seed % 5] = 1;
  for (let i = 0; i < f.sessions; i++) {
    addTiming(f.queueWait, 5_000 + ((seed * 7919) % 120_000));
    addTiming(f.firstResponse, 2_000 + ((seed * 104729) % 60_000));
  }
  for (let i = 0; i < f.shopperMessages; i++) addTiming(f.response, 1_000 + ((seed * i) % 90_000));
  f.closeReasons = { agent: f.sessions };
  return f;
}

async function writeYear(db: Db, days: string[]) {
  const { reportRollups, reportTables } = collections(db);
  let batch: ReportRollupDoc[] = [];
  let written = 0;
  const flush = async () => {
    if (batch.length) await reportRollups.insertMany(batch, { ordered: false });
    written += batch.length;
    batch = [];
  };
  for (const [d, day] of days.entries()) {
    const midnight = localMidnight(day, TZ).getTime();
    const scopes: [ReportRollupDoc['scope'], string][] = [
      ['tenant', ''],
      ...Array.from({ length: GROUPS }, (_, g) => ['group', `g${g}`] as ['group', string]),
      ...Array.from({ length: AGENTS }, (_, a) => ['agent', `a${a}`] as ['agent', string]),
    ];
    const tables: Record<'agent' | 'group', ReportTableDoc['rows']> = { agent: [], group: [] };
    for (const [scope, scopeId] of scopes) {
      const total = emptyFigures();
      const hours = [];
      for (let h = 9; h < 17; h++) {
        const f = hourFigures(d * 31 + h + scopeId.length);
        const start = localHour(new Date(midnight + h * 3_600_000), TZ).start;
        hours.push({ start, figures: compactFigures(f) });
        mergeFigures(total, f);
      }
      if (scope !== 'tenant') tables[scope].push({ id: scopeId, figures: compactFigures(total) });
      if (scope === 'agent' && Number(scopeId.slice(1)) >= AGENT_ROLLUPS) continue;
      batch.push({
        _id: `${TENANT}/${day}/${scope}/${scopeId}`,
        tenantId: TENANT,
        day,
        scope,
        scopeId,
        figures: compactFigures(total),
        hours,
      });
      if (batch.length >= 1_000) await flush();
    }
    for (const scope of ['agent', 'group'] as const) {
      await reportTables.insertOne({
        _id: `${TENANT}/${day}/${scope}`,
        tenantId: TENANT,
        day,
        scope,
        rows: tables[scope],
      });
    }
  }
  await flush();
  return written;
}

const STEP_SESSIONS = Number(process.env.BENCH_STEP_SESSIONS ?? 200);

/** Stores a served session the way its steps leave it, ready for its events. */
async function storedSession(db: Db, sessionId: string) {
  const { sessions, messages } = collections(db);
  const start = Date.now();
  await sessions.insertOne({
    _id: sessionId,
    tenantId: TENANT,
    visitorId: `v-${sessionId}`,
    channel: 'web',
    entry: { type: 'order' },
    phase: 'rated',
    startedAt: new Date(start),
    groupId: 'g0',
    enqueuedAt: start + 1_000,
    agentId: 'a0',
    assignedAt: new Date(start + 3_000),
    closedAt: new Date(start + 60_000),
    closeReason: 'agent',
    rating: { score: 5, at: new Date(start + 61_000) },
  });
  const byOf = (i: number): SenderType => (i === 0 ? 'system' : i % 2 ? 'visitor' : 'agent');
  await messages.insertMany(
    Array.from({ length: 10 }, (_, i) => {
      const by = byOf(i);
      return {
        _id: messageKey(TENANT, sessionId, i + 1),
        tenantId: TENANT,
        sessionId,
        seq: i + 1,
        messageId: i === 0 ? 'wf:handover' : `m${i}`,
        kind: by === 'system' ? ('system' as const) : ('text' as const),
        sender: { type: by, ...(by === 'agent' ? { id: 'a0' } : {}) },
        text: 'hello',
        visitorCount: Math.ceil(i / 2),
        createdAt: new Date(start + 2_000 + i * 1_000),
      };
    }),
  );
}

async function stepCost(db: Db) {
  const on = reportingOutbox(eventOutbox(db), reportRecorder(db));
  const off = eventOutbox(db);
  const types = ['session.queued', 'session.assigned', 'session.closed', 'session.rated'] as const;
  const samples = { on: [] as number[], off: [] as number[] };
  for (let i = 0; i < STEP_SESSIONS; i++) {
    for (const [name, outbox] of [
      ['on', on],
      ['off', off],
    ] as const) {
      const sessionId = `step-${name}-${i}`;
      await storedSession(db, sessionId);
      // The step has read the session to build its event, and hands it on (events/session-events.ts).
      const session = await collections(db).sessions.findOne({ _id: sessionId });
      if (!session) throw new Error(`session ${sessionId} not stored`);
      const started = performance.now();
      for (const type of types) {
        await outbox.record(
          { tenantId: TENANT, type, key: sessionId, data: {}, sessionId },
          { session },
        );
      }
      samples[name].push(performance.now() - started);
    }
  }
  return { on: summarize(samples.on), off: summarize(samples.off) };
}

async function timed(runs: number, what: () => Promise<unknown>) {
  await what(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await what();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

async function main() {
  const b = await startBenchStack();
  try {
    const db = b.mongo.db;
    await ensureIndexes(db);
    await hoursStore(db).put(
      TENANT,
      anyGroup,
      'reception',
      workingHoursSchema.parse({ timeZone: TZ, weekly: {} }),
    );
    if (STEP_SESSIONS > 0) {
      const cost = await stepCost(db);
      console.log(
        `a session's four event steps, ${STEP_SESSIONS} sessions: reports on p50 ${fmt(cost.on.p50)} p99 ${fmt(cost.on.p99)}; off p50 ${fmt(cost.off.p50)} p99 ${fmt(cost.off.p99)}; added p50 ${fmt(cost.on.p50 - cost.off.p50)}`,
      );
    }
    if (DAYS === 0) return;
    const to = '2026-11-30';
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - (DAYS - 1) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const days = daysBetween(from, to);
    const started = performance.now();
    const written = await writeYear(db, days);
    const writeS = (performance.now() - started) / 1000;
    console.log(
      `wrote ${written} rollups (${DAYS} days × (1 tenant + ${GROUPS} groups + ${Math.min(AGENTS, AGENT_ROLLUPS)} agents)) and ${DAYS} × 2 day tables of ${AGENTS} agents and ${GROUPS} groups in ${writeS.toFixed(1)} s`,
    );

    const line = (name: string, s: ReturnType<typeof summarize>) =>
      console.log(`${name}: p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  (n=${s.n})`);
    const range = { from, to, agentId: 'a7' };
    line(
      `one agent, ${DAYS} days: summary (+ previous) and per-day series`,
      await timed(RUNS, async () => {
        await summary(db, TENANT, range);
        await timeseries(db, TENANT, range, 'day');
      }),
    );
    line(
      `one agent, ${DAYS} days: per-day CSV export`,
      await timed(RUNS, async () => {
        const { points } = await timeseries(db, TENANT, range, 'day');
        let bytes = 0;
        for (const p of points) {
          const cells = Object.values(p.figures).filter((v) => typeof v !== 'object' || v === null);
          bytes += csvLine([p.start, p.label, ...(cells as (number | null)[])]).length;
        }
        return bytes;
      }),
    );
    const tableFrom = days[days.length - TABLE_DAYS] ?? from;
    // The first read sums each whole month's day tables into a month table; later reads use those.
    const first = performance.now();
    await byScope(db, TENANT, { from: tableFrom, to }, 'agent');
    console.log(
      `all ${AGENTS} agents, ${TABLE_DAYS} days: first per-agent table (sums the month tables): ${((performance.now() - first) / 1000).toFixed(1)} s`,
    );
    line(
      `all ${AGENTS} agents, ${TABLE_DAYS} days: per-agent table`,
      await timed(TABLE_RUNS, () => byScope(db, TENANT, { from: tableFrom, to }, 'agent')),
    );
  } finally {
    await b.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
