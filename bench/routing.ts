import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { sessionWorkflowId } from '../domain/session';
import type { RedisClient } from '../runtime/connections';
import { tellSessionBySignal } from '../wiring/tell-session';
import { agentStore } from '../stores/agents';
import { createRouter, type Router } from '../routing/router';
import { createRoutingService } from '../routing/service';
import { sessionStore } from '../stores/sessions';
import { tenantStore } from '../stores/tenants';
import { assignedSignal } from '../workflows/contract';
import { readyQuery, type awaitAssignmentWorkflow } from './workflows';
import { startBenchStack, type BenchStack } from './support/stack';
import { fmt, summarize } from './stats';

/**
 * `npm run bench:routing`: how fast a freed seat reaches the head of a
 * 1,000-session queue, on the embedded stack, in three depths:
 *  - the decision: one `release` Lua script frees the seat and assigns the head;
 *  - told: the routing service's `release` (MongoDB-free path) decides and
 *    signals the waiting session's workflow, returning once Temporal accepted
 *    the signal;
 *  - acted on: the waiting workflow's clock when its signal handler ran.
 * Beside two baselines in the same run: a bare Redis PING, and a bare signal
 * to a waiting workflow. Waiting sessions are stand-in workflows that only
 * wait for the assignment (bench/workflows), so what is measured is routing
 * and delivery, not the rest of the session.
 */

const AGENTS = 20;
const CAPACITY = 3;
const WAITING = 1_000;
const PARALLEL = 8;

type Holder = Map<string, string>;

/** 60 seats taken by sessions that only exist in Redis, then `waiting` queued behind them. */
async function fill(router: Router, tenant: string, waiting: string[]): Promise<Holder> {
  const holder: Holder = new Map();
  // The routing core alone: agents online with no console socket.
  await router.configurePresence(tenant, { mode: 'manual', disconnectGraceSeconds: 60 }, []);
  for (let i = 0; i < AGENTS; i++) {
    await router.upsertAgent(tenant, { agentId: `a${i}`, capacity: CAPACITY, groups: ['g'] });
    await router.setStatus(tenant, `a${i}`, 'online');
  }
  for (let i = 0; i < AGENTS * CAPACITY; i++) {
    const result = await router.enqueue(tenant, {
      sessionId: `seated${i}`,
      groupId: 'g',
      priority: 0,
      enqueuedAt: i,
    });
    if (result.status === 'assigned') holder.set(`seated${i}`, result.agentId);
  }
  for (const [i, sessionId] of waiting.entries()) {
    await router.enqueue(tenant, {
      sessionId,
      groupId: 'g',
      priority: i % 10 === 0 ? 5 : 0,
      enqueuedAt: AGENTS * CAPACITY + i,
    });
  }
  return holder;
}

/** Releases one held seat at a time; `release` returns what it assigned. */
async function releaseLoop(
  holder: Holder,
  count: number,
  release: (
    agentId: string,
    sessionId: string,
  ) => Promise<{ sessionId: string; agentId: string }[]>,
  samples: number[],
) {
  for (let i = 0; i < count; i++) {
    const next = holder.entries().next();
    if (next.done) return;
    const [sessionId, agentId] = next.value;
    holder.delete(sessionId);
    const started = performance.now();
    const made = await release(agentId, sessionId);
    samples.push(performance.now() - started);
    for (const a of made) holder.set(a.sessionId, a.agentId);
  }
}

async function timed(count: number, call: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function startWaiting(b: BenchStack, tenant: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `w${i}`);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map((sessionId) =>
        b.temporal.client.workflow.start('awaitAssignmentWorkflow', {
          workflowId: sessionWorkflowId(tenant, sessionId),
          taskQueue: b.baselineQueue,
        }),
      ),
    );
  }
  // Every stand-in has run its first task: the measured releases queue behind no start-up work.
  for (const sessionId of ids) {
    await b.temporal.client.workflow
      .getHandle(sessionWorkflowId(tenant, sessionId))
      .query(readyQuery);
  }
  return ids;
}

/** Decision only, on one connection and on several at once. */
async function decisions(redis: RedisClient, connect: () => Promise<RedisClient>) {
  const router = createRouter(redis);
  const serialHolder = await fill(router, 'bench-decide', idsOf(WAITING));
  const serial: number[] = [];
  await releaseLoop(serialHolder, 500, (a, s) => router.release('bench-decide', a, s), serial);

  const holder = await fill(router, 'bench-decide-par', idsOf(WAITING));
  const routers = await Promise.all(
    Array.from({ length: PARALLEL }, async () => createRouter(await connect())),
  );
  const parallel: number[] = [];
  const started = performance.now();
  await Promise.all(
    routers.map((r) =>
      releaseLoop(
        holder,
        WAITING / PARALLEL,
        (a, s) => r.release('bench-decide-par', a, s),
        parallel,
      ),
    ),
  );
  const perSecond = parallel.length / ((performance.now() - started) / 1000);
  return { serial: summarize(serial), parallel: summarize(parallel), perSecond };
}

const idsOf = (n: number) => Array.from({ length: n }, (_, i) => `q${i}`);

/** Decision plus telling the waiting workflow, then when each workflow acted on it. */
async function delivery(b: BenchStack, client: Client) {
  const tenant = 'bench-deliver';
  const router = createRouter(b.redis);
  const waiting = await startWaiting(b, tenant, WAITING);
  const holder = await fill(router, tenant, waiting);
  const releasedAt = new Map<string, number>();
  const tell = tellSessionBySignal(client);
  const routing = createRoutingService({
    router,
    agents: agentStore(b.mongo.db),
    sessions: sessionStore(b.mongo.db),
    tenants: tenantStore(b.mongo.db),
    tell,
  });
  const told: number[] = [];
  const release = async (agentId: string, sessionId: string) => {
    const epoch = Date.now();
    // The service tells before it returns; the decision's new seat holder is read back after.
    await routing.release(tenant, agentId, sessionId);
    const seated = (await router.sessionsOf(tenant, agentId)).filter(
      (s) => s.startsWith('w') && !releasedAt.has(s),
    );
    for (const s of seated) releasedAt.set(s, epoch);
    return seated.map((s) => ({ sessionId: s, agentId }));
  };
  await releaseLoop(holder, WAITING, release, told);

  const acted: number[] = [];
  for (const [sessionId, epoch] of releasedAt) {
    const at = await client.workflow
      .getHandle<typeof awaitAssignmentWorkflow>(sessionWorkflowId(tenant, sessionId))
      .result();
    acted.push(at - epoch);
  }

  // Baseline: a bare signal to a waiting workflow, no routing.
  const bare = await startWaiting(b, 'bench-bare', 500);
  let n = 0;
  const signal = await timed(bare.length, () =>
    client.workflow
      .getHandle(sessionWorkflowId('bench-bare', bare[n++] ?? ''))
      .signal(assignedSignal, { sessionId: 'x', agentId: 'x', groupId: 'g', assignedAt: 0 }),
  );
  return { told: summarize(told), acted: summarize(acted), signal: summarize(signal) };
}

async function main(): Promise<void> {
  const b = await startBenchStack();
  const extra: RedisClient[] = [];
  try {
    const ping = summarize(await timed(2_000, () => b.redis.ping()));
    const decided = await decisions(b.redis, async () => {
      const client = b.redis.duplicate();
      await client.connect();
      extra.push(client);
      return client;
    });
    const delivered = await delivery(b, b.temporal.client);

    const rows = [
      ['baseline: Redis PING round trip', ping],
      [`decision: release → head assigned, 1 connection, ${WAITING} waiting`, decided.serial],
      [`decision: release → head assigned, ${PARALLEL} connections`, decided.parallel],
      ['baseline: bare Temporal signal to a waiting workflow', delivered.signal],
      ['told: release → decision → signal accepted by Temporal', delivered.told],
      ['acted on: release → waiting workflow ran its handler', delivered.acted],
    ] as const;
    process.stdout.write(
      `\nrouting benchmark (${AGENTS} agents × capacity ${CAPACITY}, ${WAITING} waiting sessions)\n`,
    );
    for (const [name, s] of rows) {
      process.stdout.write(
        `  ${name.padEnd(66)} n=${String(s.n).padStart(5)}  p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}\n`,
      );
    }
    process.stdout.write(
      `  decisions per second with ${PARALLEL} connections: ${Math.round(decided.perSecond)}\n`,
    );
  } finally {
    for (const client of extra) client.destroy();
    await b.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
