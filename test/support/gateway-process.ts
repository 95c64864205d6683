import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ApiConfig } from '../../runtime/config';
import { freePort } from '../../scripts/stack/ports';
import { eventually } from './engine';

const root = join(__dirname, '..', '..');

export interface GatewayProcess {
  url: string;
  port: number;
  stop: () => Promise<void>;
  /** SIGKILL: requests in flight die with it, half-done or not. */
  kill: () => Promise<void>;
}

/**
 * One more API/gateway node as its own process (`npm run api`'s entry
 * point), sharing the engine's servers and database: what a multi-node
 * deployment runs. Ready when /healthz answers.
 */
export async function startGatewayProcess(
  config: ApiConfig,
  port?: number,
): Promise<GatewayProcess> {
  const chosen = port ?? (await freePort());
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)])),
    PORT: String(chosen),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
  };
  const child: ChildProcess = spawn(
    process.execPath,
    // Node itself with tsx's loader, not the tsx CLI: the CLI runs the API in a child of its
    // own, which a SIGKILL to the CLI would leave running.
    ['--import', 'tsx', join(root, 'api', 'main.ts')],
    { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${chosen}`;
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
      const response = await fetch(`${url}/healthz`).catch(() => undefined);
      return response?.ok ? true : undefined;
    }, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    port: chosen,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
