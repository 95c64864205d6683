import type { ChildProcess } from 'node:child_process';
import type { ChatMessage } from '../../domain/message';
import { connectRedis, closeRedis, type RedisClient } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import {
  agentSend,
  agentSync,
  agentToken,
  connectAgent,
  connectVisitorAt,
  desk,
  ok,
  openAssigned,
  orderedReceiver,
  visitorSend,
  visitorSync,
  waitFor,
  type AgentSocket,
} from '../support/chat';
import { startTestEngine, type TestEngine, type VisitorSocket } from '../support/engine';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { startOwnRedis } from '../support/own-redis';
import { startSlowLink } from '../support/slow-link';

/**
 * Two gateway processes sharing MongoDB, Temporal and a Redis of this
 * suite's own (so FLUSHALL harms no other suite): the shopper on A, the
 * agent on B, and the worker emitting to both through Redis.
 */
let redisServer: { process: ChildProcess; url: string };
let redis: RedisClient;
let engine: TestEngine;
let a: GatewayProcess;
let b: GatewayProcess;
const sockets: (VisitorSocket | AgentSocket)[] = [];

beforeAll(async () => {
  redisServer = await startOwnRedis();
  redis = await connectRedis(redisServer.url, () => undefined);
  engine = await startTestEngine({ REDIS_URL: redisServer.url, VISITOR_SEND_LIMIT: 100_000 });
  [a, b] = await Promise.all([
    startGatewayProcess(engine.config),
    startGatewayProcess(engine.config),
  ]);
}, 180_000);
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await engine?.close();
  if (redis) await closeRedis(redis);
  redisServer?.process.kill('SIGTERM');
}, 60_000);

async function conversationAcrossNodes() {
  const agentId = `agent-${Date.now()}`;
  const tenantId = await desk(engine, [agentId]);
  const session = await openAssigned(engine, tenantId);
  const visitor = await connectVisitorAt(a.url, session.visitorToken);
  const agent = await connectAgent(b.url, agentToken(tenantId, agentId));
  sockets.push(visitor, agent);
  return { tenantId, ...session, visitor, agent };
}

/** Runs `count` sends with at most `window` in flight, like a client that pipelines. */
async function pipelined<T>(count: number, window: number, send: (i: number) => Promise<T>) {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: window }, async () => {
      for (let i = next++; i < count; i = next++) results[i] = await send(i);
    }),
  );
  return results;
}

const seqs = (messages: ChatMessage[]) => messages.map((m) => m.seq);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

it('when the shopper on node A and the agent on node B send hundreds of messages at once, then each side sees one gapless sequence in order', async () => {
  const c = await conversationAcrossNodes();
  const start = ok(await visitorSync(c.visitor, 0)).messages.length;
  const shopperSees = orderedReceiver(c.visitor, c.sessionId, (after) =>
    visitorSync(c.visitor, after),
  );
  const agentSees = orderedReceiver(c.agent, c.sessionId, (after) =>
    agentSync(c.agent, c.sessionId, after),
  );
  await Promise.all([shopperSees.resync(), agentSees.resync()]);

  const perSide = 120;
  const [fromShopper, fromAgent] = await Promise.all([
    pipelined(perSide, 1, async (i) =>
      ok(await visitorSend(c.visitor, { kind: 'text', clientMsgId: `v${i}`, text: `v${i}` })),
    ),
    pipelined(perSide, 1, async (i) =>
      ok(
        await agentSend(c.agent, {
          sessionId: c.sessionId,
          kind: 'text',
          clientMsgId: `a${i}`,
          text: `a${i}`,
        }),
      ),
    ),
  ]);
  const total = start + 2 * perSide;
  expect([...seqs(fromShopper), ...seqs(fromAgent)].sort((x, y) => x - y)).toEqual(
    oneTo(total).slice(start),
  );
  await waitFor(
    () => shopperSees.inbox.lastSeq === total && agentSees.inbox.lastSeq === total,
    30_000,
  );
  expect(seqs(shopperSees.delivered)).toEqual(oneTo(total));
  expect(seqs(agentSees.delivered)).toEqual(oneTo(total));
  // Each side sends one at a time, so its own messages keep the order it sent them in.
  const order = (list: ChatMessage[], prefix: string) =>
    list.filter((m) => m.text.startsWith(prefix)).map((m) => m.text);
  expect(order(agentSees.delivered, 'v')).toEqual(fromShopper.map((m) => m.text));
  expect(order(shopperSees.delivered, 'a')).toEqual(fromAgent.map((m) => m.text));
}, 240_000);

it("when each side sends one message, then every socket of the session gets each exactly once, on the sender's node and on the other", async () => {
  const c = await conversationAcrossNodes();
  const got = { shopper: new Map<string, number>(), agent: new Map<string, number>() };
  const count = (into: Map<string, number>) => (m: ChatMessage) => {
    if (m.clientMsgId) into.set(m.clientMsgId, (into.get(m.clientMsgId) ?? 0) + 1);
  };
  c.visitor.on('message:new', count(got.shopper));
  c.agent.on('message:new', count(got.agent));
  ok(await visitorSend(c.visitor, { kind: 'text', clientMsgId: 'from-a', text: 'hello' }));
  ok(
    await agentSend(c.agent, {
      sessionId: c.sessionId,
      kind: 'text',
      clientMsgId: 'from-b',
      text: 'hi',
    }),
  );
  await waitFor(() => got.shopper.size === 2 && got.agent.size === 2, 15_000);
  // A second copy (a node hearing its own publish) would follow within milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const once = new Map([
    ['from-a', 1],
    ['from-b', 1],
  ]);
  expect(got.shopper).toEqual(once);
  expect(got.agent).toEqual(once);
}, 60_000);

it('when the agent connects to a node whose database answers slowly, then a message the shopper sends the moment the agent is connected reaches it live', async () => {
  // Node C reads the agent's list 400 ms late: before the agent's rooms were
  // joined ahead of the connection, the shopper's message went out while the
  // agent's socket was connected but not yet in the session's room.
  const link = await startSlowLink(engine.config.MONGODB_URL, 400);
  const c = await startGatewayProcess({ ...engine.config, MONGODB_URL: link.url });
  try {
    const agentId = `agent-${Date.now()}`;
    const tenantId = await desk(engine, [agentId]);
    const session = await openAssigned(engine, tenantId);
    const visitor = await connectVisitorAt(a.url, session.visitorToken);
    sockets.push(visitor);
    const agent = await connectAgent(c.url, agentToken(tenantId, agentId));
    sockets.push(agent);
    const live: string[] = [];
    agent.on('message:new', (m: ChatMessage) => live.push(m.clientMsgId ?? ''));
    ok(await visitorSend(visitor, { kind: 'text', clientMsgId: 'at-connect', text: 'hello' }));
    await waitFor(() => live.includes('at-connect'), 5_000);
  } finally {
    await c.stop();
    await link.close();
  }
}, 120_000);

it('when the agent is away while 50 messages arrive, then on reconnecting from its last seq it gets all 50 once, in order', async () => {
  const c = await conversationAcrossNodes();
  const lastSeen = ok(await agentSync(c.agent, c.sessionId, 0)).messages.at(-1)?.seq ?? 0;
  c.agent.close();
  for (let i = 0; i < 50; i++) {
    ok(await visitorSend(c.visitor, { kind: 'text', clientMsgId: `m${i}`, text: `m${i}` }));
  }
  const again = await connectAgent(b.url, agentToken(c.tenantId, c.agentId));
  sockets.push(again);
  // Paged at 20: the resync follows `hasMore`.
  const back = orderedReceiver(
    again,
    c.sessionId,
    (after) => agentSync(again, c.sessionId, after, 20),
    lastSeen,
  );
  await back.resync();
  expect(seqs(back.delivered)).toEqual(oneTo(lastSeen + 50).slice(lastSeen));
  expect(back.delivered.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
}, 60_000);

it('when the sender retries one client id five times, across a restart of its gateway, then one message is stored with the same seq', async () => {
  const c = await conversationAcrossNodes();
  const message = {
    sessionId: c.sessionId,
    kind: 'text' as const,
    clientMsgId: 'retry-me',
    text: 'hello',
  };
  const before = [ok(await agentSend(c.agent, message)), ok(await agentSend(c.agent, message))];
  await b.stop();
  b = await startGatewayProcess(engine.config, b.port);
  const agent = await connectAgent(b.url, agentToken(c.tenantId, c.agentId));
  sockets.push(agent);
  const after = await Promise.all([1, 2, 3].map(() => agentSend(agent, message)));
  const all = [...before, ...after.map(ok)];
  expect(new Set(all.map((m) => m.seq)).size).toBe(1);
  expect(
    await collections(engine.db).messages.countDocuments({
      tenantId: c.tenantId,
      sessionId: c.sessionId,
      clientMsgId: 'retry-me',
    }),
  ).toBe(1);
}, 120_000);

it('when Redis is flushed mid-conversation, then seqs stay gapless and unique and delivery goes on across nodes', async () => {
  const c = await conversationAcrossNodes();
  const agentSees = orderedReceiver(c.agent, c.sessionId, (after) =>
    agentSync(c.agent, c.sessionId, after),
  );
  await agentSees.resync();
  const send = (i: number) =>
    visitorSend(c.visitor, { kind: 'text', clientMsgId: `f${i}`, text: `f${i}` });
  for (let i = 0; i < 10; i++) ok(await send(i));
  await redis.flushAll();
  const sentAfter = await pipelined(10, 3, async (i) => ok(await send(10 + i)));
  const { messages } = await collections(engine.db)
    .messages.find({ tenantId: c.tenantId, sessionId: c.sessionId })
    .sort({ seq: 1 })
    .toArray()
    .then((docs) => ({ messages: docs }));
  expect(messages.map((m) => m.seq)).toEqual(oneTo(messages.length));
  const last = Math.max(...seqs(sentAfter));
  await waitFor(() => agentSees.inbox.lastSeq >= last, 30_000);
  expect(seqs(agentSees.delivered)).toEqual(oneTo(agentSees.inbox.lastSeq));
}, 60_000);
