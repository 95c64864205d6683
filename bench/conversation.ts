import type { Client } from '@temporalio/client';
import type { ChatMessage } from '../domain/message';
import type { Ack } from '../domain/socket-events';
import {
  closeUpdate,
  rateUpdate,
  requestHumanUpdate,
  stateQuery,
  visitorTextSignal,
} from '../workflows/contract';
import { fmt, summarize } from './stats';
import { setUpBenchTenant, faqAnswer } from './support/bench-tenant';
import {
  agentSends,
  awaitMessage,
  connectAgent,
  joinChat,
  shopperSends,
  connectVisitor,
  openChat,
  pool,
  within,
  type AgentSocket,
  type VisitorSocket,
} from './support/clients';
import { cpuMeter } from './support/cpu-meter';
import { startBenchEngine } from './support/engine';
import { historySize } from './support/session-timeline';
import { startBenchStack } from './support/stack';

/**
 * `npm run bench:conversation`, on the embedded stack (the worker as a
 * process of its own, the API in the benchmark's process, as in
 * bench:lifecycle): what a whole conversation costs beside the session
 * alone, in the same run, each with the CPU every process spent per
 * workflow.
 *
 * - session alone: bench:lifecycle's full session — open chat over HTTP,
 *   the robot answers an FAQ question on the socket, hand-over, assignment,
 *   the agent closes, the shopper rates 5;
 * - conversation: the same session, and once assigned the agent opens the
 *   chat (`session:join`, as the console does) and the two exchange 20
 *   messages each way over their sockets, turn by turn (each side waits for
 *   the other's message before answering, so every message is a new turn).
 *
 * It also prints the size of one conversation's history (events, workflow
 * tasks, signals, local activities). Knobs: BENCH_SESSIONS (per row,
 * default 100), BENCH_CONCURRENCY (16), BENCH_MESSAGES (each way, 20).
 */

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20);
const TENANT = 'bench-conversation';
const AGENTS = 10;

/** The conversations' workflows, in the order they started: one mid-run is described. */
const conversations: string[] = [];

/** Resolves a waiting side when the message with its client id arrives at the other. */
const waiting = new Map<string, () => void>();
const arrived = (message: ChatMessage) => {
  if (!message.clientMsgId) return;
  const resolve = waiting.get(message.clientMsgId);
  if (!resolve) return;
  waiting.delete(message.clientMsgId);
  resolve();
};
const arrival = (clientMsgId: string) =>
  within(
    30_000,
    new Promise<void>((resolve) => waiting.set(clientMsgId, resolve)),
    `message ${clientMsgId}`,
  );

async function ackOk(ack: Promise<Ack<ChatMessage>>, what: string) {
  const result = await ack;
  if (!result.ok) throw new Error(`${what} refused: ${JSON.stringify(result)}`);
}

/** Shopper and agent take turns, `MESSAGES` each, every message waited for at the other end. */
async function converse(shopper: VisitorSocket, agent: AgentSocket, sessionId: string, n: number) {
  await joinChat(agent, sessionId);
  for (let i = 0; i < MESSAGES; i++) {
    const asked = `c${n}-s${i}`;
    const toAgent = arrival(asked);
    await ackOk(
      shopperSends(shopper, {
        kind: 'text',
        clientMsgId: asked,
        text: 'Is the blue one in stock?',
      }),
      'shopper send',
    );
    await toAgent;
    const answered = `c${n}-a${i}`;
    const toShopper = arrival(answered);
    await ackOk(
      agentSends(agent, {
        sessionId,
        kind: 'text',
        clientMsgId: answered,
        text: 'Yes, it ships today.',
      }),
      'agent send',
    );
    await toShopper;
  }
}

async function session(
  url: string,
  client: Client,
  agents: Map<string, AgentSocket>,
  n: number,
  withChat: boolean,
) {
  const started = await openChat(url, TENANT);
  if (withChat) conversations.push(started.workflowId);
  const shopper = await connectVisitor(url, started.visitorToken);
  shopper.on('message:new', arrived);
  try {
    const handle = client.workflow.getHandle(started.workflowId);
    const answered = awaitMessage(shopper, (m) => m.kind === 'text' && m.text === faqAnswer);
    await handle.signal(visitorTextSignal, {
      messageId: `q-${n}`,
      text: 'when will my order ship?',
      at: Date.now(),
    });
    await within(60_000, answered, 'the robot answer');
    const joined = awaitMessage(shopper, (m) => m.messageId.startsWith('wf:joined-'));
    await handle.executeUpdate(requestHumanUpdate);
    await within(60_000, joined, 'the assignment');
    const { agentId } = await handle.query(stateQuery);
    const agent = agents.get(agentId ?? '');
    if (!agent) throw new Error(`assigned to an unknown agent ${String(agentId)}`);
    if (withChat) await converse(shopper, agent, started.sessionId, n);
    await handle.executeUpdate(closeUpdate, {
      args: [{ by: { type: 'agent', agentId: agentId ?? '', supervisor: false } }],
    });
    await handle.executeUpdate(rateUpdate, { args: [{ score: 5 }] });
    await handle.result();
  } finally {
    shopper.close();
  }
}

async function main(): Promise<void> {
  const b = await startBenchStack();
  const engine = await startBenchEngine(b, 'error');
  const { app } = engine;
  const agents = new Map<string, AgentSocket>();
  try {
    const client = b.temporal.client;
    const tokens = await setUpBenchTenant(b, TENANT, { agents: AGENTS, capacity: 50 });
    // The console's sockets, connected once, as agents stay logged in.
    for (const [i, token] of tokens.entries()) {
      const socket = await connectAgent(app.url, token);
      socket.on('message:new', arrived);
      agents.set(`agent${i}`, socket);
    }
    const run = (withChat: boolean, offset: number, count = SESSIONS) =>
      pool(count, CONCURRENCY, (n) => session(app.url, client, agents, offset + n, withChat));
    // Warm-up: a few so bundles, caches and connections exist before measuring.
    await run(true, 1_000_000, CONCURRENCY);
    const cpu = cpuMeter([...b.stack.processes, ...engine.processes]);
    const metered = async (withChat: boolean, offset: number) => {
      const meter = cpu.start();
      const result = await run(withChat, offset);
      return { result, cpu: meter.per(SESSIONS) };
    };
    const alone = await metered(false, 0);
    const conversation = await metered(true, 10_000);
    const aloneAfter = await metered(false, 20_000);
    const described = conversations[Math.floor(conversations.length * 0.75)];
    const line = (label: string, row: typeof alone) => {
      const d = summarize(row.result.durations);
      return (
        `  ${label}: ${SESSIONS} in ${(SESSIONS / row.result.perSecond).toFixed(1)} s = ${row.result.perSecond.toFixed(2)}/s; one p50 ${fmt(d.p50)} p99 ${fmt(d.p99)}\n` +
        `    CPU per workflow: ${row.cpu}\n`
      );
    };
    process.stdout.write(
      `\nconversation benchmark (concurrency ${CONCURRENCY}, ${MESSAGES} messages each way)\n` +
        line('session alone (before)', alone) +
        line(`conversation (session + ${MESSAGES} messages each way)`, conversation) +
        line('session alone (after)', aloneAfter) +
        (described
          ? `  one conversation's history (${described}): ${await historySize(client, described)}\n`
          : ''),
    );
  } finally {
    for (const socket of agents.values()) socket.close();
    await engine.stop();
    await b.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
