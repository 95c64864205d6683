import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { createClient } from 'redis';
import { searchAttributeNames } from '../../workflows/contract';
import { startProcess, type RunningProcess } from './process';

/**
 * The three servers of the embedded stack. `persistent` keeps data on disk
 * across restarts (npm start); without it the servers trade durability for
 * speed (tests, which use a throw-away folder).
 */
export interface ServerOptions {
  dataDir: string;
  persistent: boolean;
}

/** Temporal dynamic-config overrides, e.g. a low continue-as-new threshold for tests. */
export type TemporalDynamicConfig = Record<string, number | string | boolean>;

export async function startRedis(
  binary: string,
  port: number,
  { dataDir, persistent }: ServerOptions,
): Promise<RunningProcess> {
  const dir = join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const durability = persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '300 1 60 1000']
    : ['--appendonly', 'no', '--save', ''];
  return startProcess({
    name: 'redis',
    command: binary,
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--daemonize',
      'no',
      ...durability,
    ],
    logFile: join(dataDir, 'logs', 'redis.log'),
    ready: () => redisAnswers(`redis://127.0.0.1:${port}`),
  });
}

export async function startFerretDb(
  binary: string,
  port: number,
  debugPort: number,
  { dataDir, persistent }: ServerOptions,
): Promise<RunningProcess> {
  const dir = join(dataDir, 'ferretdb');
  await mkdir(dir, { recursive: true });
  // FerretDB opens SQLite in WAL mode with synchronous=FULL: an fsync per transaction, which
  // held it to a few hundred inserts a second here. NORMAL syncs at checkpoints instead (a
  // crash of the process loses nothing; a power cut may lose the last transactions), which
  // suits a development stack; throw-away stacks skip syncing altogether.
  const synchronous = persistent ? 'normal' : 'off';
  return startProcess({
    name: 'ferretdb',
    command: binary,
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/?_pragma=synchronous(${synchronous})`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      `--debug-addr=127.0.0.1:${debugPort}`,
      '--telemetry=disable',
      '--log-level=warn',
    ],
    logFile: join(dataDir, 'logs', 'ferretdb.log'),
    ready: () => mongoAnswers(`mongodb://127.0.0.1:${port}`),
  });
}

export interface TemporalPorts {
  frontend: number;
  ui?: number;
  http: number;
  metrics: number;
}

export async function startTemporal(
  binary: string,
  ports: TemporalPorts,
  { dataDir, persistent }: ServerOptions,
  dynamicConfig: TemporalDynamicConfig = {},
): Promise<RunningProcess> {
  const overrides = Object.entries(dynamicConfig).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
  const speed = persistent
    ? []
    : ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'];
  const ui = ports.ui === undefined ? ['--headless'] : ['--ui-port', String(ports.ui)];
  return startProcess({
    name: 'temporal',
    command: binary,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(ports.frontend),
      '--http-port',
      String(ports.http),
      '--metrics-port',
      String(ports.metrics),
      ...ui,
      '--db-filename',
      join(dataDir, 'temporal.sqlite'),
      '--log-level',
      'warn',
      ...speed,
      ...overrides,
      ...searchAttributeNames.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ],
    env: { ...process.env, TEMPORAL_CLI_SHOW_STACKS: '0' },
    logFile: join(dataDir, 'logs', 'temporal.log'),
    readyTimeoutMs: 120_000,
    ready: () => temporalAnswers(`127.0.0.1:${ports.frontend}`),
  });
}

export interface MailpitPorts {
  smtp: number;
  http: number;
}

/**
 * Mailpit: the local mail server the email channel sends to (SMTP) and whose
 * inbox (web UI and HTTP API) shows what was sent. Any sender, no auth.
 */
export async function startMailpit(
  binary: string,
  ports: MailpitPorts,
  { dataDir, persistent }: ServerOptions,
): Promise<RunningProcess> {
  // Without a database file Mailpit keeps mail in a temporary one, gone at exit.
  const database = persistent ? ['--database', join(dataDir, 'mailpit.db')] : [];
  return startProcess({
    name: 'mailpit',
    command: binary,
    args: [
      '--smtp',
      `127.0.0.1:${ports.smtp}`,
      '--listen',
      `127.0.0.1:${ports.http}`,
      '--smtp-auth-accept-any',
      '--smtp-auth-allow-insecure',
      '--disable-version-check',
      ...database,
    ],
    logFile: join(dataDir, 'logs', 'mailpit.log'),
    ready: async () => (await fetch(`http://127.0.0.1:${ports.http}/readyz`)).ok,
  });
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 1_000 } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    if (client.isOpen) client.destroy();
  }
}

async function mongoAnswers(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000 });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    return reply.ok === 1;
  } finally {
    await client.close();
  }
}

/** Ready means: the frontend answers and the engine's search attributes exist. */
async function temporalAnswers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    return searchAttributeNames.every((name) => customAttributes[name] !== undefined);
  } finally {
    await connection.close();
  }
}
