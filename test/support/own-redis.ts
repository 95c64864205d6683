import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '../../scripts/stack/ports';
import { testStack } from './stack';

/** A Redis of the suite's own, for tests that stop or flush it without harming other suites. */
export async function startOwnRedis(
  port?: number,
): Promise<{ process: ChildProcess; port: number; url: string }> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    testStack.redisServer,
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(chosen, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return { process: child, port: chosen, url: `redis://127.0.0.1:${chosen}` };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redis did not start');
}
