import { performance } from 'node:perf_hooks';
import { setUpBenchTenant } from './support/bench-tenant';
import { call, connectVisitor, openChat, pool, sleep, type VisitorSocket } from './support/clients';
import { cpuMeter, cpuMs, type MeteredProcess } from './support/cpu-meter';
import { startBenchNodes } from './support/engine';
import { residentLine, residentMiB } from './support/memory';
import { startBenchStack } from './support/stack';

/**
 * `npm run bench:scale`, on the embedded stack with the engine as production
 * runs it: one worker process (`npm run worker`) and one API/gateway process
 * (`npm run api`), the benchmark's process holding only the clients.
 *
 * 1. Live sessions on one worker: SESSIONS chats opened over HTTP, half left
 *    waiting in the robot phase, half asking for a person (`POST /human`)
 *    and waiting in a queue with no agent online (timeouts set long so none
 *    ends during the run). Each process's resident memory (now and peak) is
 *    read from /proc once they are all open and have settled.
 * 2. Connected visitor sockets on one gateway: one socket per session (up to
 *    SOCKETS), connected and left idle; the gateway's resident memory before
 *    and after, and the CPU every process spends over IDLE_SECONDS with them
 *    connected, beside the same window with none connected.
 *
 * A queued session wakes at every queue-position notice interval to
 * re-assert its queue entry and check its place (two local activities and a
 * timer): at the default 10 s, 5,000 queued sessions ask 500 workflow tasks
 * a second of the worker, more than this machine's two cores give (a run at
 * the default stalled after about 1,000 sessions with workflow tasks over
 * 5 s). The tenant here sets it to BENCH_NOTICE_MS, by default the longest
 * the flow allows (10 min), so what is measured is what live sessions hold,
 * not that churn.
 *
 * Knobs: BENCH_SESSIONS (10,000), BENCH_SOCKETS (as many as sessions),
 * BENCH_CONCURRENCY (16, opening), BENCH_IDLE_SECONDS (60: two of socket.io's
 * 25 s heartbeats and more), BENCH_NOTICE_MS (600,000).
 */

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const SOCKETS = Math.min(SESSIONS, Number(process.env.BENCH_SOCKETS ?? SESSIONS));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const NOTICE_MS = Number(process.env.BENCH_NOTICE_MS ?? 600_000);
const TENANT = 'bench-scale';
const day = 24 * 60 * 60 * 1000;

/** Every 1,000 (and at the end): how far, when, and each process's memory then. */
const progress = (what: string, done: number, total: number, processes: MeteredProcess[]) => {
  if (done % 1_000 !== 0 && done !== total) return;
  const at = new Date().toISOString().slice(11, 19);
  process.stderr.write(`  ${at} ${what}: ${done}/${total}; ${residentLine(processes)}\n`);
};

/** `POST /human`, retried as the 503 `session_busy` answer asks (a worker taking the session over). */
async function askForPerson(url: string, sessionId: string, token: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const answer = await call(url, 'POST', `/api/v1/sessions/${sessionId}/human`, token);
    if (answer.status === 200) return;
    if (answer.status !== 503 || attempt === 10) {
      throw new Error(`POST /human: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    await sleep(3_000);
  }
}

async function main(): Promise<void> {
  const b = await startBenchStack();
  const engine = await startBenchNodes(b, 1);
  const url = engine.urls[0] ?? '';
  const sockets: VisitorSocket[] = [];
  const named = (name: string) => engine.processes.find((p) => p.name === name);
  const gateway = named('api-1');
  const everything: MeteredProcess[] = [...b.stack.processes, ...engine.processes];
  // A process that ends mid-run (the worker out of memory) is a result, not only a failure.
  for (const p of engine.processes) {
    void p.exited.then((code) => {
      const at = new Date().toISOString().slice(11, 19);
      process.stderr.write(`  ${at} ${p.name} exited (code ${String(code)})\n`);
    });
  }
  const out: string[] = [];
  try {
    await setUpBenchTenant(b, TENANT, {
      agents: 0,
      capacity: 1,
      flow: {
        timeouts: { robotIdleMs: day },
        queue: { maxLength: 10_000, maxWaitMs: day, positionNoticeMs: NOTICE_MS },
      },
    });
    out.push(`at start: ${residentLine(everything)}`);

    // 1. Live sessions: robot phase for even n, queued for odd n.
    const tokens: string[] = [];
    let opened = 0;
    const open = await pool(SESSIONS, CONCURRENCY, async (n) => {
      const started = await openChat(url, TENANT, `sku-${n}`);
      if (n % 2 === 1) await askForPerson(url, started.sessionId, started.visitorToken);
      tokens.push(started.visitorToken);
      progress('sessions open', ++opened, SESSIONS, everything);
    });
    out.push(
      `live sessions: ${SESSIONS} opened (half queued) in ${(SESSIONS / open.perSecond).toFixed(0)} s = ${open.perSecond.toFixed(1)}/s`,
    );
    // The last sessions' first tasks and the queue notices run out before memory is read.
    await sleep(15_000);
    out.push(`  resident memory with them live: ${residentLine(everything)}`);

    // 2. Sockets: the idle gateway first, then with every socket connected.
    const cpu = cpuMeter(everything);
    let meter = cpu.start();
    await sleep(IDLE_SECONDS * 1000);
    out.push(
      `  CPU per second with no socket connected (${IDLE_SECONDS} s): ${meter.per(IDLE_SECONDS)}`,
    );
    // Read right before connecting: the gateway's garbage from the opening is collected by then.
    const before = residentMiB(gateway?.pid);
    let connected = 0;
    const t = performance.now();
    await pool(SOCKETS, 50, async (n) => {
      const socket = await connectVisitor(url, tokens[n] ?? '');
      sockets.push(socket);
      progress('sockets connected', ++connected, SOCKETS, everything);
    });
    const connectSeconds = (performance.now() - t) / 1000;
    await sleep(5_000);
    const after = residentMiB(gateway?.pid);
    out.push(
      `visitor sockets: ${SOCKETS} connected to one gateway in ${connectSeconds.toFixed(0)} s; gateway resident ${before?.now.toFixed(0)} MiB before, ${after?.now.toFixed(0)} MiB after = ${before && after ? (((after.now - before.now) * 1024) / SOCKETS).toFixed(1) : '?'} KiB per socket`,
    );
    meter = cpu.start();
    const gatewayBefore = gateway?.pid === undefined ? undefined : cpuMs(gateway.pid);
    await sleep(IDLE_SECONDS * 1000);
    const gatewayAfter = gateway?.pid === undefined ? undefined : cpuMs(gateway.pid);
    if (gatewayBefore !== undefined && gatewayAfter !== undefined) {
      const perSecond = (gatewayAfter - gatewayBefore) / IDLE_SECONDS;
      out.push(
        `  gateway CPU with the sockets idle: ${perSecond.toFixed(1)} ms per second = ${((1000 * perSecond) / SOCKETS).toFixed(2)} µs per second per connection`,
      );
    }
    const open_ = sockets.filter((s) => s.connected).length;
    out.push(
      `  CPU per second with ${SOCKETS} idle sockets (${IDLE_SECONDS} s, ${open_} still connected at the end): ${meter.per(IDLE_SECONDS)}`,
    );
    out.push(`  resident memory at the end: ${residentLine(everything)}`);
    process.stdout.write(
      `\nscale benchmark (${SESSIONS} sessions, ${SOCKETS} sockets)\n${out.join('\n')}\n`,
    );
  } finally {
    sockets.forEach((s) => s.close());
    await engine.stop();
    await b.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
