import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { eventTypes } from '../domain/events';
import { eventFeed, positionAt } from '../events/feed';
import { webhookStore } from '../stores/webhooks';
import { fmt, summarize } from './stats';
import { chatPairs } from './support/chat-pairs';
import { pool } from './support/clients';
import { startBenchEngine, benchTokenSecret } from './support/engine';
import { fullSession, setUpSessionTenant } from './support/full-session';
import { drive } from './support/load';
import { startBenchStack, type BenchStack } from './support/stack';

/**
 * `npm run bench:events`, on the embedded stack, the worker with its
 * production delivery settings (EVENT_SETTLE_MS 3 s, WEBHOOK_POLL_MS 1 s):
 *  1. delivery at the lifecycle benchmark's session rate: SESSIONS full
 *     sessions (bench/support/full-session.ts) on a tenant subscribed to every
 *     type; the rate the sessions produced events beside the rate they
 *     reached the receiver, and the lag from each event's time to its
 *     arrival (p50/p99);
 *  2. the drain: a new subscription that starts before those sessions takes
 *     their whole backlog; events/s delivered to one subscription;
 *  3. the chat fast path's acked msgs/s at saturation with webhooks off and
 *     on — the chat tenant without, then with, a subscription to every event
 *     type, alternately (off, on, off, on), so drift hits both alike — and
 *     then the time of one feed read, with every chat message stored.
 * The receiver is a local HTTP server that answers 200 at once.
 */

const PAIRS = Number(process.env.BENCH_PAIRS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const arrival = z.object({ id: z.string(), occurredAt: z.string() });

/** A receiver that answers 200 and notes each event id once, with its lag. */
async function startReceiver() {
  const firstArrival = new Map<string, { at: number; lagMs: number }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200).end();
      const at = Date.now();
      const event = arrival.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (event.success && !firstArrival.has(event.data.id)) {
        firstArrival.set(event.data.id, { at, lagMs: at - Date.parse(event.data.occurredAt) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    firstArrival,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function subscribe(b: BenchStack, tenantId: string, url: string, startAfter: Date) {
  const now = new Date();
  return webhookStore(b.mongo.db).create({
    tenantId,
    webhookId: `bench-${randomBytes(4).toString('hex')}`,
    url,
    types: [...eventTypes],
    active: true,
    secret: randomBytes(32).toString('base64url'),
    startAfter: positionAt(startAfter),
    createdAt: now,
    updatedAt: now,
  });
}

/** The tenant's events and messages stored since `from`: what its feed holds. */
async function feedSize(b: BenchStack, tenantId: string, from: Date): Promise<number> {
  const db = b.mongo.db;
  const [events, messages] = await Promise.all([
    db.collection('events').countDocuments({ tenantId, at: { $gte: from } }),
    db.collection('messages').countDocuments({ tenantId, createdAt: { $gte: from } }),
  ]);
  return events + messages;
}

/** Waits until the receiver holds `count` events of `ids` or the time is up. */
async function receivedAll(count: () => number, want: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (count() < want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return count();
}

async function main(): Promise<void> {
  const b = await startBenchStack();
  const engine = await startBenchEngine(
    b,
    'error',
    { VISITOR_SEND_LIMIT: 100_000, VISITOR_SEND_WINDOW_SECONDS: 1 },
    { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' },
  );
  const receiver = await startReceiver();
  const { app } = engine;
  const urls = { http: app.url, shopper: app.url, agent: app.url };
  const chat = await chatPairs(
    { urls, db: b.mongo.db, redis: b.redis, temporal: b.temporal, tokenSecret: benchTokenSecret },
    PAIRS,
  );
  try {
    // 2. Delivery at the lifecycle rate.
    const tenantId = 'bench-events';
    await setUpSessionTenant(b, tenantId);
    const runStart = new Date();
    await subscribe(b, tenantId, receiver.url, runStart);
    const before = receiver.firstArrival.size;
    process.stderr.write(`  running: ${SESSIONS} full sessions with a subscription\n`);
    const started = performance.now();
    const sessions = await pool(SESSIONS, CONCURRENCY, async (n) => {
      await fullSession(app.url, b.temporal.client, tenantId, `q-${n}`);
    });
    const runSeconds = (performance.now() - started) / 1000;
    const produced = await feedSize(b, tenantId, runStart);
    const deliveredDuringRun = receiver.firstArrival.size - before;
    await receivedAll(() => receiver.firstArrival.size - before, produced, 120_000);
    const arrivals = [...receiver.firstArrival.values()].slice(before);
    const lastArrival = Math.max(...arrivals.map((a) => a.at));
    const deliverySeconds = (lastArrival - runStart.getTime()) / 1000;
    const lag = summarize(arrivals.map((a) => a.lagMs));

    // 3. The drain: the same events again, to a subscription that starts before them.
    const drainReceiver = await startReceiver();
    const drainStart = performance.now();
    await subscribe(b, tenantId, drainReceiver.url, runStart);
    const drained = await receivedAll(() => drainReceiver.firstArrival.size, produced, 300_000);
    const drainSeconds = (performance.now() - drainStart) / 1000;
    await drainReceiver.close();

    // 1. The fast path, webhooks off and on.
    await (
      await drive(chat.pairs, { rate: 200 }, 2)
    ).settled;
    const rows: string[] = [];
    const rates = { off: [] as number[], on: [] as number[] };
    let chatHook: Awaited<ReturnType<typeof subscribe>> | undefined;
    for (const webhooks of ['off', 'on', 'off', 'on'] as const) {
      const store = webhookStore(b.mongo.db);
      if (webhooks === 'on' && !chatHook) {
        chatHook = await subscribe(b, 'bench-chat', receiver.url, new Date());
      }
      if (chatHook)
        await store.update('bench-chat', chatHook.webhookId, { active: webhooks === 'on' });
      process.stderr.write(`  running: fast path, webhooks ${webhooks}\n`);
      const result = await drive(chat.pairs, { inFlightPerPair: IN_FLIGHT }, SECONDS);
      await result.settled;
      const l = summarize(result.latencies);
      rates[webhooks].push(result.ackedPerSecond);
      rows.push(
        `| webhooks ${webhooks} | ${Math.round(result.ackedPerSecond).toLocaleString('en')} | ${l.p50.toFixed(1)} ms | ${l.p99.toFixed(1)} ms | ${result.failed} |`,
      );
    }
    if (chatHook)
      await webhookStore(b.mongo.db).update('bench-chat', chatHook.webhookId, { active: false });
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const change = (100 * (mean(rates.on) - mean(rates.off))) / mean(rates.off);

    // What bounds a feed read on this stack: after the chat rows, the messages collection
    // holds every chat message; FerretDB's SQLite backend filters everything but _id by scanning.
    const feed = eventFeed(b.mongo.db, { settleMs: 3_000, retentionDays: 30 });
    const readStart = performance.now();
    await feed.read(tenantId, { limit: 50 });
    const feedReadMs = performance.now() - readStart;
    const storedMessages = await b.mongo.db.collection('messages').estimatedDocumentCount();
    process.stdout.write(
      `\nevents benchmark (${PAIRS} chat pairs, ${IN_FLIGHT} in flight per pair, ${SECONDS} s per row; ${SESSIONS} sessions at concurrency ${CONCURRENCY})\n\n` +
        `1. Delivery at the lifecycle rate: ${SESSIONS} sessions in ${runSeconds.toFixed(1)} s = ${sessions.perSecond.toFixed(1)} sessions/s produced ${produced} events = ${(produced / runSeconds).toFixed(1)} events/s;\n` +
        `   ${deliveredDuringRun} reached the receiver while the sessions ran, all ${arrivals.length} within ${deliverySeconds.toFixed(1)} s of the start = ${(arrivals.length / deliverySeconds).toFixed(1)} events/s;\n` +
        `   lag from the event's time to its arrival: p50 ${fmt(lag.p50)} p99 ${fmt(lag.p99)} max ${fmt(lag.max)} (the feed serves an event once it is EVENT_SETTLE_MS = 3 s old)\n\n` +
        `2. Drain: a new subscription took ${drained} of the ${produced} events in ${drainSeconds.toFixed(1)} s = ${(drained / drainSeconds).toFixed(1)} events/s to one subscription\n\n` +
        '3. The chat fast path at saturation, webhooks off and on (a subscription to every type of the chat tenant):\n\n' +
        '| row | acked msgs/s | p50 send→agent | p99 send→agent | failed |\n| --- | --- | --- | --- | --- |\n' +
        `${rows.join('\n')}\n\n` +
        `   mean with webhooks on vs off: ${change >= 0 ? '+' : ''}${change.toFixed(1)} %\n` +
        `   then one feed read of 50 took ${feedReadMs.toFixed(0)} ms with ${storedMessages} messages stored\n`,
    );
  } finally {
    chat.close();
    await receiver.close();
    await engine.stop();
    await b.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
