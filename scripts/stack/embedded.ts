import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { step } from '../log';
import { ensureTools } from '../provision/tools';
import { assertPortsFree, onFreshPorts } from './ports';
import type { RunningProcess } from './process';
import { startFerretDb, startMailpit, startRedis, startTemporal } from './servers';

export interface StackPorts {
  temporal: number;
  /** Omit for a headless Temporal (tests). */
  temporalUi?: number;
  mongodb: number;
  redis: number;
}

export interface StackOptions {
  dataDir: string;
  ports: StackPorts;
  persistent: boolean;
}

export interface Stack {
  urls: {
    temporalAddress: string;
    mongodbUrl: string;
    redisUrl: string;
    temporalUi?: string;
    /** Mailpit: where the email channel sends (SMTP_URL), and its inbox (web UI and HTTP API). */
    smtpUrl: string;
    mailInbox: string;
  };
  processes: RunningProcess[];
  stop: () => Promise<void>;
}

/** Stops in reverse start order, so nothing loses a server it still uses. */
export async function stopAll(processes: RunningProcess[]): Promise<void> {
  for (const running of [...processes].reverse()) {
    step('stack', `stopping ${running.name}`);
    await running.stop();
  }
}

/**
 * Starts Redis, FerretDB, the Temporal dev server (with the engine's search
 * attributes) and Mailpit, each waited on until it answers. If one fails, the ones
 * already started are stopped again.
 */
export async function startEmbeddedStack({
  dataDir,
  ports,
  persistent,
}: StackOptions): Promise<Stack> {
  const tools = await ensureTools(['redis-server', 'ferretdb', 'temporal', 'mailpit'] as const);
  await assertPortsFree([
    { port: ports.redis, label: 'Redis, REDIS_PORT' },
    { port: ports.mongodb, label: 'FerretDB (MongoDB protocol), MONGODB_PORT' },
    { port: ports.temporal, label: 'Temporal frontend, TEMPORAL_PORT' },
    ...(ports.temporalUi === undefined
      ? []
      : [{ port: ports.temporalUi, label: 'Temporal Web UI, TEMPORAL_UI_PORT' }]),
  ]);
  await mkdir(join(dataDir, 'logs'), { recursive: true });

  const options = { dataDir, persistent };
  const processes: RunningProcess[] = [];
  let mail = { smtp: 0, http: 0 };
  try {
    step('stack', `starting Redis on ${ports.redis}`);
    processes.push(await startRedis(tools['redis-server'], ports.redis, options));
    step('stack', `starting FerretDB on ${ports.mongodb}`);
    processes.push(
      await onFreshPorts(['debug'], ({ debug }) =>
        startFerretDb(tools.ferretdb, ports.mongodb, debug, options),
      ),
    );
    step('stack', `starting the Temporal dev server on ${ports.temporal}`);
    processes.push(
      await onFreshPorts(['http', 'metrics'], ({ http, metrics }) =>
        startTemporal(
          tools.temporal,
          { frontend: ports.temporal, ui: ports.temporalUi, http, metrics },
          options,
        ),
      ),
    );
    step('stack', 'starting Mailpit (local mail)');
    processes.push(
      await onFreshPorts(['smtp', 'http'], async (picked) => {
        const started = await startMailpit(tools.mailpit, picked, options);
        mail = picked;
        return started;
      }),
    );
  } catch (error) {
    await stopAll(processes);
    throw error;
  }

  return {
    urls: {
      temporalAddress: `127.0.0.1:${ports.temporal}`,
      mongodbUrl: `mongodb://127.0.0.1:${ports.mongodb}`,
      redisUrl: `redis://127.0.0.1:${ports.redis}`,
      temporalUi:
        ports.temporalUi === undefined ? undefined : `http://localhost:${ports.temporalUi}`,
      smtpUrl: `smtp://127.0.0.1:${mail.smtp}`,
      mailInbox: `http://localhost:${mail.http}`,
    },
    processes,
    stop: () => stopAll(processes),
  };
}
