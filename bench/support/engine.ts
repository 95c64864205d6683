import { join } from 'node:path';
import { createApp, type App } from '../../api/app';
import { apiConfigSchema } from '../../runtime/config';
import { createLogger, type LogLevel } from '../../runtime/logger';
import { packageRoot } from '../../runtime/package-root';
import { freePort } from '../../scripts/stack/ports';
import { startProcess, type RunningProcess } from '../../scripts/stack/process';
import type { BenchStack } from './stack';
import { mongoCallsFile, mongoCallsWanted } from './mongo-calls';

/** The secret the benchmark's engine signs tokens with (tokens are made by the bench too). */
export const benchTokenSecret = 'bench-secret-that-is-at-least-32-characters';

export interface BenchEngine {
  app: App;
  /** The engine's processes besides this one (the session worker). */
  processes: RunningProcess[];
  /** Closes the API, then stops the worker process and waits for it. */
  stop: () => Promise<void>;
}

/** The servers of the bench stack, as the engine's processes read them from env. */
function serverEnv(b: BenchStack) {
  return {
    TEMPORAL_ADDRESS: b.stack.urls.temporalAddress,
    TEMPORAL_TASK_QUEUE: 'bench-sessions',
    MONGODB_URL: b.stack.urls.mongodbUrl,
    MONGODB_DATABASE: 'bench',
    REDIS_URL: b.stack.urls.redisUrl,
  };
}

const cpuProfArgs = () =>
  process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

/**
 * BENCH_WORKER_HEAP_MB=<n>: the worker process started with
 * `--max-old-space-size=<n>`, to see how far a heap limit bounds its
 * resident memory while sessions open (bench:scale).
 */
const workerHeapArgs = (name: string) => {
  const mb = process.env.BENCH_WORKER_HEAP_MB;
  if (name !== 'worker' || mb === undefined) return [];
  if (!/^[1-9][0-9]*$/.test(mb))
    throw new Error(`BENCH_WORKER_HEAP_MB: ${mb} is not a size in MiB`);
  return [`--max-old-space-size=${mb}`];
};

/** BENCH_MONGO_CALLS=1: the worker counts its MongoDB calls (support/mongo-calls.ts). */
const workerCountArgs = (name: string) =>
  name === 'worker' && mongoCallsWanted
    ? ['--import', join(packageRoot(), 'bench', 'support', 'count-mongo-calls.mjs')]
    : [];

/** `npm run <entry>` as a process of its own, its log in the run's folder. */
function startEngineProcess(
  b: BenchStack,
  name: string,
  entry: string,
  env: Record<string, string>,
  ready: (output: string) => Promise<boolean>,
): Promise<RunningProcess> {
  const root = packageRoot();
  return startProcess({
    name,
    command: process.execPath,
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each engine process (every thread) in that folder.
    args: [
      ...cpuProfArgs(),
      ...workerHeapArgs(name),
      '--import',
      'tsx',
      ...workerCountArgs(name),
      join(root, entry),
    ],
    env: {
      ...process.env,
      ...serverEnv(b),
      ...(mongoCallsWanted ? { BENCH_MONGO_CALLS: mongoCallsFile(b.dataDir) } : {}),
      ...env,
    },
    cwd: root,
    logFile: join(b.dataDir, 'logs', `${name}.log`),
    ready,
    readyTimeoutMs: 120_000,
  });
}

// Info level: its readiness is a log line; the worker is quiet at info otherwise.
const startWorker = (b: BenchStack, env: Record<string, string> = {}) =>
  startEngineProcess(
    b,
    'worker',
    join('workers', 'main.ts'),
    { ...env, LOG_LEVEL: 'info' },
    (output) => Promise.resolve(output.includes('"worker ready"')),
  );

const asEnv = (config: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)]));

/**
 * The engine as production runs it: the session worker as a process of its
 * own (`npm run worker`) and the API with the real gateway, built from the
 * same config schema, in the benchmark's process beside the clients. Two
 * processes as in a deployment, so neither pays for the other's hooks (the
 * worker's activity context tracks every promise of its process). `config`
 * adds or overrides API settings, `workerConfig` the worker's.
 */
export async function startBenchEngine(
  b: BenchStack,
  logLevel: LogLevel,
  config: Record<string, string | number> = {},
  workerConfig: Record<string, string | number> = {},
): Promise<BenchEngine> {
  const worker = await startWorker(b, asEnv(workerConfig));
  const app = await createApp(
    apiConfigSchema.parse({
      PORT: 0,
      HOST: '127.0.0.1',
      ...serverEnv(b),
      TOKEN_SECRET: benchTokenSecret,
      LOG_LEVEL: logLevel,
      ...config,
    }),
    createLogger(logLevel, { process: 'bench' }),
  ).catch(async (error: unknown) => {
    // The worker runs in a process group of its own: it would outlive the benchmark.
    await worker.stop();
    throw error;
  });
  return {
    app,
    processes: [worker],
    async stop() {
      await app.close();
      await worker.stop(30_000);
    },
  };
}

export interface BenchNodes {
  /** Each gateway node's base URL. */
  urls: string[];
  /** The gateway nodes and the worker. */
  processes: RunningProcess[];
  stop: () => Promise<void>;
}

/**
 * A multi-node engine: `count` API/gateway processes (`npm run api`) and the
 * worker process, with nothing of the engine left in the benchmark's
 * process but its clients.
 */
export async function startBenchNodes(
  b: BenchStack,
  count: number,
  config: Record<string, string | number> = {},
): Promise<BenchNodes> {
  const worker = await startWorker(b);
  const nodes: RunningProcess[] = [];
  const urls: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      nodes.push(
        await startEngineProcess(
          b,
          `api-${i + 1}`,
          join('api', 'main.ts'),
          {
            ...asEnv(config),
            PORT: String(port),
            HOST: '127.0.0.1',
            TOKEN_SECRET: benchTokenSecret,
            LOG_LEVEL: 'error',
          },
          async () => (await fetch(`${url}/readyz`)).ok,
        ),
      );
      urls.push(url);
    }
  } catch (error) {
    await Promise.all([...nodes, worker].map((p) => p.stop()));
    throw error;
  }
  return {
    urls,
    processes: [...nodes, worker],
    async stop() {
      await Promise.all(nodes.map((node) => node.stop(30_000)));
      await worker.stop(30_000);
    },
  };
}
