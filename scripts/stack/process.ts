import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { step } from '../log';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where output goes; with `echo`, it is also printed with a `[name]` prefix. */
  logFile: string;
  echo?: boolean;
  /** Polled with the output so far until it resolves true. */
  ready: (output: string) => Promise<boolean>;
  readyTimeoutMs?: number;
}

export interface RunningProcess {
  name: string;
  pid: number | undefined;
  stop: (timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

function pipeOutput(
  child: ChildProcess,
  log: WriteStream,
  name: string,
  echo: boolean,
  onText: (text: string) => void,
): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      onText(chunk.toString());
      if (echo) {
        for (const line of chunk.toString().split('\n')) {
          if (line.trim() !== '') process.stdout.write(`[${name}] ${line}\n`);
        }
      }
    });
  }
}

/**
 * Starts a server and waits until its readiness check passes. The child gets
 * its own process group, so a Ctrl-C reaches only us and we stop the stack in
 * order (the app before the servers it depends on).
 */
export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  const log = createWriteStream(spec.logFile, { flags: 'a' });
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // Recent output, for readiness checks that wait for a line.
  let output = '';
  pipeOutput(child, log, spec.name, spec.echo ?? false, (text) => {
    output = (output + text).slice(-65_536);
  });

  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? null : 0);
      log.end();
      resolve(exitCode);
    });
    child.once('error', (error) => {
      log.write(`\nspawn failed: ${error.message}\n`);
      exitCode = -1;
      resolve(-1);
    });
  });

  const stop = async (timeoutMs = 10_000): Promise<void> => {
    if (exitCode !== undefined || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!done) {
      step('stack', `${spec.name} did not stop in ${timeoutMs / 1000} s; killing it`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    }
  };

  const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(
        `${spec.name} exited with code ${exitCode} while starting. Last output (${spec.logFile}):\n${await tail(spec.logFile)}`,
      );
    }
    if (await spec.ready(output).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop(2_000);
      throw new Error(
        `${spec.name} was not ready within ${(spec.readyTimeoutMs ?? 60_000) / 1000} s. Last output (${spec.logFile}):\n${await tail(spec.logFile)}`,
      );
    }
    await sleep(250);
  }
  return { name: spec.name, pid: child.pid, stop, exited };
}
