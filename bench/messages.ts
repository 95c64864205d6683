import type { Db } from 'mongodb';
import { drive, type LoadResult, type Pair } from './support/load';
import { chatPairs } from './support/chat-pairs';
import { startRelay } from './support/relay';
import { benchTokenSecret, startBenchEngine, startBenchNodes } from './support/engine';
import { startBenchStack } from './support/stack';
import { summarize } from './stats';
import { cpuMeter, type MeteredProcess } from './support/cpu-meter';

/**
 * `npm run bench:messages`, on the embedded stack: PAIRS shoppers each
 * chatting with their own agent through the real gateway (`createApp`,
 * sessions assigned by the workflow), sending text messages at fixed total
 * rates and at saturation; each row is measured the same way beside a bare
 * socket.io relay (no storage) in the same run. A message counts when its
 * sender has the ack (for the engine: stored with its seq); latency is from
 * the shopper's send to `message:new` at the agent's socket.
 */

const PAIRS = Number(process.env.BENCH_PAIRS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8);
/**
 * 1: the API in the benchmark's process beside the clients, as the relay is.
 * 2 or more: that many gateway processes (`npm run api`), shoppers on the
 * first and agents on the second, so every message crosses nodes.
 */
const GATEWAYS = Number(process.env.BENCH_GATEWAYS ?? 1);

type Load = { label: string; pace: { rate: number } | { inFlightPerPair: number } };

const loads: Load[] = [
  { label: '100 msgs/s', pace: { rate: 100 } },
  { label: '1,000 msgs/s', pace: { rate: 1_000 } },
  { label: `saturation (${IN_FLIGHT} in flight/pair)`, pace: { inFlightPerPair: IN_FLIGHT } },
];

function row(label: string, system: string, r: LoadResult): string {
  const l = summarize(r.latencies);
  const cells = [
    label,
    system,
    Math.round(r.ackedPerSecond).toLocaleString('en'),
    `${l.p50.toFixed(1)} ms`,
    `${l.p99.toFixed(1)} ms`,
    String(r.failed),
    String(r.missing),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** Waits (at most a minute) until no message has been stored for two seconds. */
async function settle(db: Db): Promise<void> {
  const messages = db.collection('messages');
  let last = -1;
  for (let i = 0; i < 30; i++) {
    const count = await messages.estimatedDocumentCount();
    if (count === last) return;
    last = count;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

async function main(): Promise<void> {
  const b = await startBenchStack();
  // The per-shopper flood limit is not what is measured here.
  const config = { VISITOR_SEND_LIMIT: 100_000, VISITOR_SEND_WINDOW_SECONDS: 1 };
  let engine: { processes: MeteredProcess[]; stop: () => Promise<void> };
  let urls: { http: string; shopper: string; agent: string };
  if (GATEWAYS > 1) {
    const nodes = await startBenchNodes(b, GATEWAYS, config);
    engine = nodes;
    // Every message crosses nodes: shoppers on the first, agents on the second.
    urls = { http: nodes.urls[0] ?? '', shopper: nodes.urls[0] ?? '', agent: nodes.urls[1] ?? '' };
  } else {
    // Errors only: nobody answers the shoppers, so every session breaches its first-response SLA.
    const inProcess = await startBenchEngine(b, 'error', config);
    engine = inProcess;
    urls = { http: inProcess.app.url, shopper: inProcess.app.url, agent: inProcess.app.url };
  }
  const relay = await startRelay();
  const chat = await chatPairs(
    { urls, db: b.mongo.db, redis: b.redis, temporal: b.temporal, tokenSecret: benchTokenSecret },
    PAIRS,
  );
  try {
    const relayPairs = await relay.pairs(PAIRS);
    const systems: [string, Pair[]][] = [
      ['engine', chat.pairs],
      ['raw relay', relayPairs],
    ];
    // Warm-up: JIT, connection pools, first-message turn signals.
    for (const [, pairs] of systems) await (await drive(pairs, { rate: 200 }, 2)).settled;
    const lines: string[] = [];
    const cpuLines: string[] = [];
    const cpu = cpuMeter([...b.stack.processes, ...engine.processes]);
    for (const load of loads) {
      for (const [system, pairs] of systems) {
        process.stderr.write(`  running: ${load.label}, ${system}\n`);
        const meter = cpu.start();
        const result = await drive(pairs, load.pace, SECONDS);
        lines.push(row(load.label, system, result));
        cpuLines.push(`- ${load.label}, ${system}: ${meter.per(result.acked)}`);
        // A backlog left by this row must not run during the next one.
        await result.settled;
      }
    }
    process.stdout.write(
      `\nmessages benchmark: ${PAIRS} shopper/agent pairs, ${SECONDS} s per row, ${GATEWAYS > 1 ? `${GATEWAYS} gateway processes` : 'the gateway in the benchmark process'}\n\n` +
        '| offered load | system | acked msgs/s | p50 send→agent | p99 send→agent | failed | not received |\n' +
        '| --- | --- | --- | --- | --- | --- | --- |\n' +
        `${lines.join('\n')}\n\n` +
        'CPU per acked message, by process (the relay runs in the benchmark process; the stack idles under it):\n' +
        `${cpuLines.join('\n')}\n`,
    );
    // Sends that timed out at the client may still be running in the engine; closing the
    // clients under them would only bury the table in errors.
    await settle(b.mongo.db);
  } finally {
    chat.close();
    await relay.close();
    await engine.stop();
    await b.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
