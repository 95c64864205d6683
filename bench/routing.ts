import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeRedis, connectRedis, type RedisClient } from '../runtime/connections';
import { ensureTool } from '../scripts/provision/tools';
import { freePort } from '../scripts/stack/ports';
import { startRedis } from '../scripts/stack/servers';
import { createRouter, type Router } from '../stores/routing/router';
import { fmt, summarize } from './stats';

/**
 * `npm run bench:routing`: how fast a freed seat is given to the head of a
 * 1,000-session queue — the time of one `release` call, which frees the seat
 * and makes the next assignment in the same Lua script — beside a bare Redis
 * round trip (PING) on the same server and connection, in one run.
 *
 * Measures the routing decision only; telling the waiting session's workflow
 * is not part of it yet.
 */

const AGENTS = 20;
const CAPACITY = 3;
const WAITING = 1_000;
const PARALLEL = 8;

async function fill(router: Router, tenant: string): Promise<Map<string, string>> {
  const holder = new Map<string, string>();
  for (let i = 0; i < AGENTS; i++) {
    await router.upsertAgent(tenant, { agentId: `a${i}`, capacity: CAPACITY, groups: ['g'] });
    await router.setStatus(tenant, `a${i}`, 'online');
  }
  for (let i = 0; i < AGENTS * CAPACITY + WAITING; i++) {
    const result = await router.enqueue(tenant, {
      sessionId: `s${i}`,
      groupId: 'g',
      priority: i % 10 === 0 ? 5 : 0,
      enqueuedAt: i,
    });
    if (result.status === 'assigned') holder.set(`s${i}`, result.agentId);
  }
  return holder;
}

/** Releases open sessions one at a time while the queue lasts; each release assigns the head. */
async function releaseLoop(
  router: Router,
  tenant: string,
  holder: Map<string, string>,
  count: number,
  samples: number[],
) {
  for (let i = 0; i < count; i++) {
    const next = holder.entries().next();
    if (next.done) return;
    const [sessionId, agentId] = next.value;
    holder.delete(sessionId);
    const started = performance.now();
    const made = await router.release(tenant, agentId, sessionId);
    samples.push(performance.now() - started);
    for (const a of made) holder.set(a.sessionId, a.agentId);
  }
}

async function pingLatency(redis: RedisClient, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await redis.ping();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'reception-bench-'));
  await mkdir(join(dataDir, 'logs'));
  const port = await freePort();
  const server = await startRedis(await ensureTool('redis-server'), port, {
    dataDir,
    persistent: false,
  });
  const clients: RedisClient[] = [];
  const connect = async () => {
    const client = await connectRedis(`redis://127.0.0.1:${port}`, (error) => {
      throw error;
    });
    clients.push(client);
    return client;
  };
  try {
    const main = await connect();
    const baseline = summarize(await pingLatency(main, 2_000));

    // One releaser: latency of a single decision with 1,000 waiting.
    const tenant = 'bench-serial';
    const router = createRouter(main);
    const holder = await fill(router, tenant);
    const serial: number[] = [];
    await releaseLoop(router, tenant, holder, 500, serial);
    const serialStats = summarize(serial);

    // Several connections releasing at once: throughput under contention.
    const parallelTenant = 'bench-parallel';
    const parallelHolder = await fill(createRouter(main), parallelTenant);
    const routers = await Promise.all(
      Array.from({ length: PARALLEL }, async () => createRouter(await connect())),
    );
    const parallel: number[] = [];
    const started = performance.now();
    await Promise.all(
      routers.map((r) =>
        releaseLoop(r, parallelTenant, parallelHolder, WAITING / PARALLEL, parallel),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const parallelStats = summarize(parallel);
    const waitingLeft = await createRouter(main).queueLength(parallelTenant, 'g');

    const rows = [
      ['baseline: Redis PING round trip', baseline],
      [`release → head assigned, 1 connection, ${WAITING} waiting`, serialStats],
      [`release → head assigned, ${PARALLEL} connections`, parallelStats],
    ] as const;
    process.stdout.write(
      `\nrouting benchmark (${AGENTS} agents × capacity ${CAPACITY}, ${WAITING} waiting sessions)\n`,
    );
    for (const [name, s] of rows) {
      process.stdout.write(
        `  ${name.padEnd(58)} n=${String(s.n).padStart(5)}  p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}\n`,
      );
    }
    process.stdout.write(
      `  assignments per second with ${PARALLEL} connections: ${Math.round(parallel.length / seconds)} (${parallel.length} in ${seconds.toFixed(2)} s; ${waitingLeft} still waiting)\n`,
    );
  } finally {
    await Promise.all(clients.map(closeRedis));
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error)}\n`);
  process.exit(1);
});
