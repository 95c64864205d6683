import { performance } from 'node:perf_hooks';
import type { ChatMessage } from '../domain/message';
import type { Ack, SessionSummary } from '../domain/socket-events';
import { fmt, summarize } from './stats';
import { faqAnswer, setUpBenchTenant } from './support/bench-tenant';
import {
  agentSends,
  awaitMessage,
  joinChat,
  shopperSends,
  call,
  callOk,
  connectAgent,
  connectVisitor,
  openChat,
  sleep,
  within,
  type AgentSocket,
  type VisitorSocket,
} from './support/clients';
import { cpuMeter } from './support/cpu-meter';
import { startBenchEngine } from './support/engine';
import { mongoTimingLines, timeMongoCalls } from './support/mongo-timing';
import { startProbes } from './support/probes';
import { startBenchStack } from './support/stack';

/**
 * `npm run bench:mixed` (just over ~300 lines: the lanes, the probes and the
 * rows share one stack and are printed side by side), on the embedded stack (the worker as a process of
 * its own, the API in the benchmark's process): chat latency while sessions
 * start and end around it, as a new integrator tries it — everything over
 * the public HTTP routes and sockets.
 *
 * LANES shoppers each go through whole sessions, one after another: open
 * chat, ask the robot (on the socket) and get its answer, ask for a person
 * (`POST /human`), the offered agent (a reservation group) sees the offer in
 * its pushed list and accepts it (`POST /offer/accept`), opens the chat
 * (`session:join`), the two exchange MESSAGES each way at RATE messages a
 * second per side, half-way the agent transfers to another agent, who opens
 * the chat and carries on, then the agent closes and the shopper rates.
 * Lanes start spread over one session's length, so sessions start and end
 * all the time while the others chat.
 *
 * Beside it, in the same run, the same lanes chat at the same pace in
 * sessions already assigned, with no lifecycle around them. Latency is from
 * the shopper's `message:send` to `message:new` at the agent's socket; each
 * row also prints send→ack, CPU per message and what the servers and this
 * process's event loop did meanwhile (support/probes.ts).
 *
 * Knobs: BENCH_LANES (20), BENCH_MESSAGES (each way per session, 50),
 * BENCH_RATE (messages a second per side, 2.5), BENCH_ROUNDS (sessions per
 * lane in the mixed row, 2).
 */

const LANES = Number(process.env.BENCH_LANES ?? 20);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 2.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TENANT = 'bench-mixed';
const AGENTS = 10;
/** Times the engine's MongoDB calls (the API runs in this process): see support/mongo-timing.ts. */
const MONGO_TIMING = process.env.BENCH_MONGO_TIMING === '1';

interface Sample {
  sentAt: number;
  /** Wall clock at the send, to put beside the stored message's `createdAt`. */
  sentWall: number;
  ackMs?: number;
  receivedMs?: number;
  /** Send → the message numbered in its insert batch (`createdAt` is set then), ms. */
  toBatchMs?: number;
}

/** Every message of a row by client id; the first arrival at the other side counts. */
let samples = new Map<string, Sample>();
const arrived = (message: ChatMessage) => {
  const sample = message.clientMsgId ? samples.get(message.clientMsgId) : undefined;
  if (sample && sample.receivedMs === undefined) {
    sample.receivedMs = performance.now() - sample.sentAt;
  }
};

interface Agents {
  sockets: AgentSocket[];
  tokens: string[];
  /** Resolves with the agent a session is offered to, from the lists pushed to agents. */
  offered(sessionId: string): Promise<number>;
}

async function connectAgents(url: string, tokens: string[]): Promise<Agents> {
  const offers = new Map<string, number>();
  const waiting = new Map<string, (agent: number) => void>();
  const seen = (agent: number, lines: SessionSummary[]) => {
    for (const line of lines) {
      if (line.phase !== 'reserved') continue;
      offers.set(line.sessionId, agent);
      waiting.get(line.sessionId)?.(agent);
    }
  };
  const sockets = await Promise.all(
    tokens.map(async (token, agent) => {
      const socket = await connectAgent(url, token);
      socket.on('message:new', arrived);
      socket.on('session:list', (lines) => seen(agent, lines));
      socket.on('session:updated', (line) => seen(agent, [line]));
      return socket;
    }),
  );
  return {
    sockets,
    tokens,
    offered: (sessionId) => {
      const known = offers.get(sessionId);
      if (known !== undefined) return Promise.resolve(known);
      return within(
        60_000,
        new Promise<number>((resolve) => waiting.set(sessionId, resolve)),
        'the offer',
      ).finally(() => waiting.delete(sessionId));
    },
  };
}

let counter = 0;

/** Sends one message as `emit` does it, recording its send, ack and (see `arrived`) arrival. */
function send(id: string, emit: (id: string) => Promise<Ack<ChatMessage>>): Promise<void> {
  const sample: Sample = { sentAt: performance.now(), sentWall: Date.now() };
  samples.set(id, sample);
  return emit(id).then(
    (ack) => {
      if (!ack.ok) return;
      sample.ackMs = performance.now() - sample.sentAt;
      sample.toBatchMs = Date.parse(ack.data.createdAt) - sample.sentWall;
    },
    () => undefined,
  );
}

const text = 'Is the blue one in stock?';
const fromShopper = (shopper: VisitorSocket) => (clientMsgId: string) =>
  shopperSends(shopper, { kind: 'text', clientMsgId, text });
const fromAgent = (agent: AgentSocket, sessionId: string) => (clientMsgId: string) =>
  agentSends(agent, { sessionId, kind: 'text', clientMsgId, text });

/**
 * `count` messages each way at RATE a second per side, open-loop (due on a
 * schedule whatever the acks do): the shopper's at 0, 1/RATE, …, the
 * agent's half a period later. Returns when every send has its ack.
 */
async function chat(shopper: VisitorSocket, agent: AgentSocket, sessionId: string, count: number) {
  const period = 1000 / RATE;
  const start = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * period;
    await sleep(Math.max(0, due - performance.now()));
    sends.push(send(`s${counter++}`, fromShopper(shopper)));
    await sleep(Math.max(0, due + period / 2 - performance.now()));
    sends.push(send(`a${counter++}`, fromAgent(agent, sessionId)));
  }
  await Promise.all(sends);
}

/** Shopper ids are `s…`, agent ids `a…`: the two directions of a row. */
const direction = (id: string) => (id.startsWith('s') ? 'toAgent' : 'toShopper');

/** Opens chat, asks the robot, asks for a person and has the offered agent accept. */
async function assignedSession(url: string, agents: Agents) {
  const started = await openChat(url, TENANT);
  const shopper = await connectVisitor(url, started.visitorToken);
  shopper.on('message:new', arrived);
  const base = `/api/v1/sessions/${started.sessionId}`;
  const answered = awaitMessage(shopper, (m) => m.kind === 'text' && m.text === faqAnswer);
  const asked = await shopperSends(shopper, {
    kind: 'text',
    clientMsgId: `q${counter++}`,
    text: 'when will my order ship?',
  });
  if (!asked.ok) throw new Error(`question: ${JSON.stringify(asked)}`);
  await within(60_000, answered, 'the robot answer');
  await callOk(url, 'POST', `${base}/human`, started.visitorToken);
  const agent = await agents.offered(started.sessionId);
  await callOk(url, 'POST', `${base}/offer/accept`, agents.tokens[agent] ?? '');
  await joinChat(agents.sockets[agent]!, started.sessionId);
  return { started, shopper, agent, base };
}

/** One whole session of a lane: assigned, chat, transfer, chat, close, rating. */
async function wholeSession(url: string, agents: Agents) {
  const { started, shopper, agent, base } = await assignedSession(url, agents);
  try {
    const half = Math.floor(MESSAGES / 2);
    await chat(shopper, agents.sockets[agent]!, started.sessionId, half);
    // To the next agent that takes it (an agent at capacity answers 422).
    let holder = agent;
    for (let step = 1; step < AGENTS && holder === agent; step++) {
      const to = (agent + step) % AGENTS;
      const moved = await call(url, 'POST', `${base}/transfer`, agents.tokens[agent] ?? '', {
        toAgentId: `agent${to}`,
      });
      if (moved.status === 200) holder = to;
      else if (moved.status !== 422) throw new Error(`transfer: ${moved.status}`);
    }
    await joinChat(agents.sockets[holder]!, started.sessionId);
    await chat(shopper, agents.sockets[holder]!, started.sessionId, MESSAGES - half);
    await callOk(url, 'POST', `${base}/close`, agents.tokens[holder] ?? '');
    await callOk(url, 'POST', `${base}/rating`, started.visitorToken, { score: 5 });
  } finally {
    shopper.close();
  }
}

function report(label: string, rowSeconds: number, cpu: string, probes: string[]) {
  const all = [...samples.entries()];
  const of = (dir: 'toAgent' | 'toShopper') => all.filter(([id]) => direction(id) === dir);
  const lines = [`  ${label} (${rowSeconds.toFixed(1)} s)`];
  for (const [dir, name] of [
    ['toAgent', 'shopper→agent'],
    ['toShopper', 'agent→shopper'],
  ] as const) {
    const rows = of(dir).map(([, s]) => s);
    const received = summarize(
      rows.flatMap((s) => (s.receivedMs === undefined ? [] : [s.receivedMs])),
    );
    const acked = summarize(rows.flatMap((s) => (s.ackMs === undefined ? [] : [s.ackMs])));
    const toBatch = summarize(
      rows.flatMap((s) => (s.toBatchMs === undefined ? [] : [s.toBatchMs])),
    );
    const slow = rows.filter((s) => (s.receivedMs ?? 0) > 50 && s.toBatchMs !== undefined);
    const slowBefore = summarize(slow.map((s) => s.toBatchMs ?? 0));
    const slowAfter = summarize(slow.map((s) => (s.receivedMs ?? 0) - (s.toBatchMs ?? 0)));
    const lost = rows.filter((s) => s.ackMs !== undefined && s.receivedMs === undefined).length;
    const failed = rows.filter((s) => s.ackMs === undefined).length;
    lines.push(
      `    ${name}: n=${received.n} p50 ${fmt(received.p50)} p99 ${fmt(received.p99)} max ${fmt(received.max)}; send→ack p50 ${fmt(acked.p50)} p99 ${fmt(acked.p99)}; failed ${failed}, acked but not received ${lost}`,
      `      send→numbered in its insert batch (createdAt, ms clock): p50 ${toBatch.p50.toFixed(0)} p99 ${toBatch.p99.toFixed(0)} ms; of the ${slow.length} over 50 ms, before numbering p50 ${slowBefore.p50.toFixed(0)} / p99 ${slowBefore.p99.toFixed(0)} ms, after it p50 ${slowAfter.p50.toFixed(0)} / p99 ${slowAfter.p99.toFixed(0)} ms`,
    );
  }
  lines.push(`    CPU per message: ${cpu}`);
  for (const probe of probes) lines.push(`    ${probe}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (MONGO_TIMING) timeMongoCalls();
  const b = await startBenchStack();
  const engine = await startBenchEngine(b, 'error', {
    VISITOR_SEND_LIMIT: 100_000,
    VISITOR_SEND_WINDOW_SECONDS: 1,
  });
  const { app } = engine;
  let agents: Agents | undefined;
  try {
    const tokens = await setUpBenchTenant(b, TENANT, {
      agents: AGENTS,
      capacity: 2 * Math.ceil(LANES / AGENTS) + 2,
      group: { reserve: true },
    });
    agents = await connectAgents(app.url, tokens);
    const cpu = cpuMeter([...b.stack.processes, ...engine.processes]);
    const row = async (label: string, run: () => Promise<void>) => {
      samples = new Map();
      mongoTimingLines();
      const probes = startProbes(b.mongo.db, b.redis);
      const meter = cpu.start();
      const t = performance.now();
      await run();
      const seconds = (performance.now() - t) / 1000;
      // Stragglers' deliveries after the last ack.
      await sleep(1_000);
      const probed = await probes.stop();
      const timed = MONGO_TIMING ? mongoTimingLines().map((l) => `API's MongoDB ${l}`) : [];
      return report(label, seconds, meter.per(samples.size), [...probed, ...timed]);
    };
    const ready = agents;
    // Warm-up: one whole session per lane.
    await Promise.all(Array.from({ length: LANES }, () => wholeSession(app.url, ready)));

    // Chat alone: the lanes' sessions assigned first, then the same chat with nothing around it.
    const sessions = await Promise.all(
      Array.from({ length: LANES }, () => assignedSession(app.url, ready)),
    );
    const chatOnly = await row('chat only (sessions already assigned)', async () => {
      await Promise.all(
        sessions.map((s) =>
          chat(s.shopper, ready.sockets[s.agent]!, s.started.sessionId, MESSAGES),
        ),
      );
    });
    for (const s of sessions) {
      await callOk(app.url, 'POST', `${s.base}/close`, ready.tokens[s.agent] ?? '');
      s.shopper.close();
    }

    const lifecycleMs = 2_000;
    const sessionMs = (2 * MESSAGES * 1000) / (2 * RATE) + lifecycleMs;
    const mixed = await row(`mixed: ${ROUNDS} whole sessions per lane`, async () => {
      await Promise.all(
        Array.from({ length: LANES }, async (_, lane) => {
          await sleep((lane * sessionMs) / LANES);
          for (let round = 0; round < ROUNDS; round++) await wholeSession(app.url, ready);
        }),
      );
    });
    process.stdout.write(
      `\nmixed chat benchmark: ${LANES} lanes, ${MESSAGES} messages each way per session at ${RATE}/s per side, ${AGENTS} agents (reservation group)\n` +
        `${chatOnly}\n${mixed}\n`,
    );
  } finally {
    agents?.sockets.forEach((s) => s.close());
    await engine.stop();
    await b.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
