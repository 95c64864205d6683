import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { fmt, summarize } from './stats';
import { sessionSkeletonWorkflow, skeletonEvents } from './workflows';
import { openChat, pool, within } from './support/clients';
import { fullSession, setUpSessionTenant } from './support/full-session';
import { cpuMeter } from './support/cpu-meter';
import { startBenchEngine } from './support/engine';
import { sessionTimeline } from './support/session-timeline';
import { startBenchStack } from './support/stack';
import {
  mongoCallsFile,
  mongoCallsPer,
  mongoCallsWanted,
  readMongoCalls,
} from './support/mongo-calls';
import { collections } from '../stores/collections';

/**
 * `npm run bench:lifecycle`, on the embedded stack:
 *  1. full sessions per second — open chat over HTTP, ask the robot an FAQ
 *     question and get its answer over socket.io, ask for a person, get
 *     assigned, the agent closes, the shopper rates 5, the workflow ends —
 *     beside a no-op workflow's start-to-complete rate on the same server,
 *     at the same concurrency, in the same run (taken before and after the
 *     sessions), and beside a session
 *     skeleton: a workflow that gets the same five events from outside and
 *     does no work, the most a session of this shape can reach here;
 *  2. timer precision over 1,000 robot-idle closes: when each timer fired
 *     against when it was due, read from the workflows' histories.
 * With BENCH_TRACE=1 it also prints one mid-run session's history with
 * event times; with BENCH_MONGO_CALLS=1, the worker's MongoDB driver calls
 * per full session, by collection and operation.
 *
 * `BENCH_REPORTS=compare` measures only what recording report facts costs
 * the full sessions' rate: two engines on the same servers, one whose
 * worker records report facts and one whose worker does not
 * (REPORT_FACTS=false), each on its own task queue and tenant, their rows
 * of BENCH_SESSIONS sessions taken in turns (on, off, off, on, on, off, …
 * BENCH_ROUNDS rows each) so drift on a shared machine falls on both.
 */

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const IDLE_SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 1_000);
const IDLE_MS = 60_000;
/** Prints one measured session's history with event times, to see where its time goes. */
const TRACE = process.env.BENCH_TRACE === '1';

const percentOf = (a: { perSecond: number }, b: { perSecond: number }) =>
  `${((100 * a.perSecond) / b.perSecond).toFixed(0)}%`;

/** The workflow ids of measured sessions, in the order they ended. */
const measured: string[] = [];

/** Each robot-idle timer's lateness (fired minus started plus duration) and when it fired, from history. */
async function timerLateness(
  client: Client,
  workflowIds: string[],
): Promise<{ late: number; firedAt: number }[]> {
  const lateness: { late: number; firedAt: number }[] = [];
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const started = new Map<string, number>();
    for (const event of history.events ?? []) {
      const at = Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
      const start = event.timerStartedEventAttributes;
      if (start?.timerId) {
        const ms = Number(start.startToFireTimeout?.seconds ?? 0) * 1000;
        const extra = (start.startToFireTimeout?.nanos ?? 0) / 1e6;
        started.set(start.timerId, at + ms + extra);
      }
      const fired = event.timerFiredEventAttributes;
      const due = fired?.timerId ? started.get(fired.timerId) : undefined;
      if (due !== undefined) lateness.push({ late: at - due, firedAt: at });
    }
  }
  return lateness;
}

/** Sessions/s with report facts recorded against without, in one run (see the header). */
async function compareReports(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
  const b = await startBenchStack();
  const engines = {
    on: await startBenchEngine(
      b,
      'warn',
      { TEMPORAL_TASK_QUEUE: 'bench-reports-on' },
      { TEMPORAL_TASK_QUEUE: 'bench-reports-on', REPORT_FACTS: 'true' },
    ),
    off: await startBenchEngine(
      b,
      'warn',
      { TEMPORAL_TASK_QUEUE: 'bench-reports-off' },
      { TEMPORAL_TASK_QUEUE: 'bench-reports-off', REPORT_FACTS: 'false' },
    ),
  };
  try {
    const client = b.temporal.client;
    const tenants = { on: 'bench-reports-on', off: 'bench-reports-off' };
    for (const side of ['on', 'off'] as const) {
      await setUpSessionTenant(b, tenants[side]);
      await pool(CONCURRENCY, CONCURRENCY, async (n) => {
        await fullSession(engines[side].app.url, client, tenants[side], `warm-${side}-${n}`);
      });
    }
    const cpu = cpuMeter([...b.stack.processes, ...engines.on.processes, ...engines.off.processes]);
    const rates = { on: [] as number[], off: [] as number[] };
    const cpus = { on: [] as string[], off: [] as string[] };
    // ABBA order: on, off, off, on, on, off, …
    const abba = ['on', 'off', 'off', 'on'] as const;
    const order = Array.from({ length: 2 * rounds }, (_, i) => abba[i % 4] ?? 'on');
    for (const [row, side] of order.entries()) {
      const meter = cpu.start();
      const result = await pool(SESSIONS, CONCURRENCY, async (n) => {
        await fullSession(engines[side].app.url, client, tenants[side], `r${row}-${n}`);
      });
      rates[side].push(result.perSecond);
      cpus[side].push(meter.per(SESSIONS));
      process.stdout.write(
        `  row ${row + 1} (reports ${side}): ${SESSIONS} sessions = ${result.perSecond.toFixed(2)} sessions/s\n`,
      );
    }
    const { reportFacts } = collections(b.mongo.db);
    const facts = {
      on: await reportFacts.countDocuments({ tenantId: tenants.on, kind: 'session' }),
      off: await reportFacts.countDocuments({ tenantId: tenants.off, kind: 'session' }),
    };
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    process.stdout.write(
      `\nreport facts, full sessions (concurrency ${CONCURRENCY}, ${rounds} rows of ${SESSIONS} each way)\n`,
    );
    for (const side of ['on', 'off'] as const) {
      process.stdout.write(
        `  reports ${side}: ${rates[side].map((r) => r.toFixed(2)).join(' / ')} sessions/s, mean ${mean(rates[side]).toFixed(2)}; session facts stored ${facts[side]}\n`,
      );
      process.stdout.write(`    CPU per session by row: ${cpus[side].join(' | ')}\n`);
    }
    const change = (100 * (mean(rates.on) - mean(rates.off))) / mean(rates.off);
    process.stdout.write(`  reports on vs off: ${change.toFixed(1)} %\n`);
  } finally {
    await engines.on.stop();
    await engines.off.stop();
    await b.stop();
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_REPORTS === 'compare') return compareReports();
  const b = await startBenchStack();
  const engine = await startBenchEngine(b, 'warn');
  const { app } = engine;
  try {
    const client = b.temporal.client;
    await setUpSessionTenant(b, 'bench-shop');
    // Warm-up: a few sessions so bundles, caches and connections exist before measuring.
    await pool(CONCURRENCY, CONCURRENCY, async (n) => {
      await fullSession(app.url, client, 'bench-shop', `warm-${n}`);
    });
    const cpu = cpuMeter([...b.stack.processes, ...engine.processes]);
    // Each row with the CPU it cost per workflow: a rate alone cannot say whether two rows
    // were bound by the same thing.
    const metered = async <T>(row: () => Promise<T>) => {
      const meter = cpu.start();
      const result = await row();
      return { result, cpu: meter.per(SESSIONS) };
    };
    const noops = (round: string) =>
      metered(() =>
        pool(SESSIONS, CONCURRENCY, async (n) => {
          await client.workflow.execute('noopWorkflow', {
            workflowId: `noop-${round}-${n}`,
            taskQueue: b.baselineQueue,
          });
        }),
      );
    // The no-op rate moves from run to run on this server, so it is taken on both sides of
    // the sessions, and the sessions are put beside the faster of the two.
    const noopBefore = await noops('before');
    const worker = engine.processes.find((p) => p.name === 'worker');
    const countCalls = async () =>
      mongoCallsWanted && worker?.pid !== undefined
        ? readMongoCalls(worker.pid, mongoCallsFile(b.dataDir))
        : undefined;
    const callsBefore = await countCalls();
    const { result: sessions, cpu: cpuPerSession } = await metered(() =>
      pool(SESSIONS, CONCURRENCY, async (n) => {
        measured.push(await fullSession(app.url, client, 'bench-shop', `q-${n}`));
      }),
    );
    const callsAfter = await countCalls();
    const noopAfter = await noops('after');
    const noop = noopBefore.result.perSecond >= noopAfter.result.perSecond ? noopBefore : noopAfter;
    const skeleton = await metered(() =>
      pool(SESSIONS, CONCURRENCY, async (n) => {
        const handle = await client.workflow.start(sessionSkeletonWorkflow, {
          workflowId: `skeleton-${n}`,
          taskQueue: b.baselineQueue,
        });
        await handle.signal(skeletonEvents.question);
        await handle.executeUpdate(skeletonEvents.handOver);
        await handle.signal(skeletonEvents.assigned);
        await handle.executeUpdate(skeletonEvents.close);
        await handle.executeUpdate(skeletonEvents.rate);
        await handle.result();
      }),
    );

    await setUpSessionTenant(b, 'bench-idle', IDLE_MS);
    const idleIds: string[] = [];
    const opened = performance.now();
    await pool(IDLE_SESSIONS, CONCURRENCY, async () => {
      idleIds.push((await openChat(app.url, 'bench-idle')).workflowId);
    });
    const openSeconds = (performance.now() - opened) / 1000;
    const openedUntil = Date.now();
    for (const id of idleIds) {
      await within(IDLE_MS + 120_000, client.workflow.getHandle(id).result(), 'an idle close');
    }
    const timers = await timerLateness(client, idleIds);
    const lateness = summarize(timers.map((t) => t.late));
    // Timers that fired while sessions were still being opened share the machine with the
    // opening; the rest fired on a machine doing nothing else.
    const during = summarize(timers.filter((t) => t.firedAt <= openedUntil).map((t) => t.late));
    const after = summarize(timers.filter((t) => t.firedAt > openedUntil).map((t) => t.late));
    const session = summarize(sessions.durations);

    process.stdout.write(`\nlifecycle benchmark (concurrency ${CONCURRENCY})\n`);
    process.stdout.write(
      `  full sessions: ${SESSIONS} in ${(SESSIONS / sessions.perSecond).toFixed(1)} s = ${sessions.perSecond.toFixed(1)} sessions/s; one session p50 ${fmt(session.p50)} p99 ${fmt(session.p99)}\n`,
    );
    process.stdout.write(`    CPU per session: ${cpuPerSession}\n`);
    if (callsBefore && callsAfter) {
      process.stdout.write(
        `    the worker's MongoDB calls per session: ${mongoCallsPer(callsBefore, callsAfter, SESSIONS)}\n`,
      );
    }
    process.stdout.write(
      `  baseline no-op workflow: ${noopBefore.result.perSecond.toFixed(1)} workflows/s before the sessions, ${noopAfter.result.perSecond.toFixed(1)} after; sessions reach ${percentOf(sessions, noop.result)} of the faster\n`,
    );
    process.stdout.write(`    CPU per no-op (the faster row): ${noop.cpu}\n`);
    process.stdout.write(
      `  session skeleton (the same five events, no work): ${skeleton.result.perSecond.toFixed(1)} workflows/s = ${percentOf(skeleton.result, noop.result)} of no-op; sessions reach ${percentOf(sessions, skeleton.result)} of it\n`,
    );
    process.stdout.write(`    CPU per skeleton: ${skeleton.cpu}\n`);
    process.stdout.write(
      `  robot-idle timers (${IDLE_MS / 1000} s, ${IDLE_SESSIONS} sessions opened in ${openSeconds.toFixed(1)} s): n=${lateness.n} fired late by p50 ${fmt(lateness.p50)} p99 ${fmt(lateness.p99)} max ${fmt(lateness.max)}\n`,
    );
    process.stdout.write(
      `    fired while sessions were still being opened: n=${during.n} p50 ${fmt(during.p50)} p99 ${fmt(during.p99)} max ${fmt(during.max)}; after: n=${after.n} p50 ${fmt(after.p50)} p99 ${fmt(after.p99)} max ${fmt(after.max)}\n`,
    );
    const traced = measured[Math.floor(measured.length / 2)];
    if (TRACE && traced) {
      const lines = await sessionTimeline(client, traced);
      process.stdout.write(`\none session mid-run (${traced}):\n${lines.join('\n')}\n`);
    }
  } finally {
    await engine.stop();
    await b.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
