import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ApiConfig } from '../../runtime/config';

/** `npm run worker` as a process of its own, so a test can kill it without warning. */
export interface WorkerProcess {
  child: ChildProcess;
  /** SIGKILL: no graceful shutdown, activities in flight are abandoned. */
  kill: () => Promise<void>;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
}

const entry = join(__dirname, '..', '..', 'workers', 'main.ts');

/** `env` adds or overrides worker settings (e.g. its metrics port). */
export async function startWorkerProcess(
  config: ApiConfig,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      MONGODB_URL: config.MONGODB_URL,
      MONGODB_DATABASE: config.MONGODB_DATABASE,
      REDIS_URL: config.REDIS_URL,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Kept for the whole life of the process, not only until it is ready.
  const keep = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not get ready within 60 s:\n${output}`));
    }, 60_000);
    const read = () => {
      if (output.includes('"worker ready"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    output: () => output,
  };
}
