import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig, portSchema } from '../runtime/config';
import { connectMongo } from '../runtime/connections';
import { loadDotEnv } from '../runtime/env-file';
import { describeError } from '../runtime/logger';
import { step } from './log';
import { demoStaff, issueDemoAdminKey, seedDemoTenant } from './seed-demo';
import { startEmbeddedStack, stopAll } from './stack/embedded';
import { assertPortsFree } from './stack/ports';
import { startProcess, type RunningProcess } from './stack/process';

/**
 * `npm start`: the whole engine on an embedded local stack. Data stays in
 * DATA_DIR across runs; Ctrl-C stops everything this started, in order.
 */

const root = resolve(__dirname, '..');
const port = (fallback: number) => portSchema(fallback, 1);
const startSchema = z.object({
  DATA_DIR: z.string().min(1).default(join(root, '.data')),
  PORT: port(3000),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  MONGODB_PORT: port(27017),
  REDIS_PORT: port(6379),
  MONGODB_DATABASE: z.string().min(1).default('reception'),
  TOKEN_SECRET: z.string().min(32).optional(),
});

/** A secret made on first start and kept with the data, so tokens survive restarts. */
async function tokenSecret(dataDir: string, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  const file = join(dataDir, 'token-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function main(): Promise<void> {
  loadDotEnv();
  const env = parseConfig(startSchema, process.env);
  const dataDir = resolve(env.DATA_DIR);
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  await assertPortsFree([{ port: env.PORT, label: 'API and socket gateway, PORT' }]);

  const stack = await startEmbeddedStack({
    dataDir,
    persistent: true,
    ports: {
      temporal: env.TEMPORAL_PORT,
      temporalUi: env.TEMPORAL_UI_PORT,
      mongodb: env.MONGODB_PORT,
      redis: env.REDIS_PORT,
    },
  });
  const processes: RunningProcess[] = [...stack.processes];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step('stack', 'stopping everything…');
    await stopAll(processes);
    step('stack', 'stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));
  // npm runs this through `sh -c`; the script's `exec` makes this process
  // the one npm signals, and should npm itself die unsignalled (SIGKILL), the
  // parent changes: the processes started here must not outlive it.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown(0);
  }, 1_000).unref();

  try {
    step('stack', 'seeding the demo tenant');
    const mongo = await connectMongo(stack.urls.mongodbUrl, env.MONGODB_DATABASE);
    const tenant = await seedDemoTenant(mongo.db);
    const demoKey = await issueDemoAdminKey(mongo.db);
    await mongo.client.close();

    const appEnv: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(env.PORT),
      HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: stack.urls.temporalAddress,
      MONGODB_URL: stack.urls.mongodbUrl,
      MONGODB_DATABASE: env.MONGODB_DATABASE,
      REDIS_URL: stack.urls.redisUrl,
      TOKEN_SECRET: await tokenSecret(dataDir, env.TOKEN_SECRET),
      // A local demo's webhook receiver is on this machine; set it to false to try the policy.
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: process.env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES ?? 'true',
      // Mail goes to the local Mailpit unless SMTP_URL names a real server.
      SMTP_URL: process.env.SMTP_URL || stack.urls.smtpUrl,
    };
    // The worker and the API run as `npm run worker` / `npm run api` would.
    const startApp = (name: string, entry: string, ready: (output: string) => Promise<boolean>) => {
      step('stack', `starting the ${name}`);
      return startProcess({
        name,
        command: process.execPath,
        args: ['--import', 'tsx', join(root, entry)],
        env: appEnv,
        cwd: root,
        echo: true,
        logFile: join(dataDir, 'logs', `${name}.log`),
        readyTimeoutMs: 120_000,
        ready,
      });
    };
    const api = `http://localhost:${env.PORT}`;
    processes.push(
      await startApp('worker', 'workers/main.ts', (output) =>
        Promise.resolve(output.includes('"worker ready"')),
      ),
    );
    processes.push(
      await startApp('api', 'api/main.ts', async () => (await fetch(`${api}/readyz`)).ok),
    );
    // A server that dies is reported and left down: the engine keeps running
    // so /readyz and the logs show the outage, as they would in production.
    // Without the API or the worker there is no engine, so everything stops.
    const appNames = new Set(['api', 'worker']);
    for (const running of processes) {
      void running.exited.then((code) => {
        if (stopping) return;
        const log = join(dataDir, 'logs', `${running.name}.log`);
        step('stack', `${running.name} exited unexpectedly (code ${code}); see ${log}`);
        if (appNames.has(running.name)) void shutdown(1);
        else
          step(
            'stack',
            `the engine keeps running without ${running.name}; /readyz reports it. Restart npm start to bring it back.`,
          );
      });
    }

    const ui = stack.urls.temporalUi ?? '';
    const filter = encodeURIComponent(`TenantId="${tenant.tenantId}"`);
    process.stdout.write(
      [
        '',
        'Reception Engine is running.',
        '',
        `  Visitor page        ${api}/visitor/?tenant=${tenant.tenantId}`,
        `  Demo shop           ${api}/shop/?tenant=${tenant.tenantId}`,
        `  Agent console       ${api}/console/?tenant=${tenant.tenantId}`,
        `  Supervisor monitor  ${api}/monitor/?tenant=${tenant.tenantId}`,
        `  Reports             ${api}/reports/?tenant=${tenant.tenantId}`,
        `  API docs            ${api}/docs   (OpenAPI: ${api}/api/v1/openapi.json)`,
        `  Readiness           ${api}/readyz`,
        `  Temporal Web UI     ${ui}/namespaces/default/workflows?query=${filter}`,
        `  Mail inbox          ${stack.urls.mailInbox}   (Mailpit: every mail the engine sends)`,
        '',
        `  Demo tenant         id "${tenant.tenantId}" (${tenant.name})`,
        `  Demo admin API key  ${demoKey}   (new at every start; the previous one is revoked)`,
        `  Demo logins         agents ${demoStaff.agents.join(', ')}, supervisor ${demoStaff.supervisor}; password "${demoStaff.password}"`,
        `  Data folder         ${dataDir}   (logs in ${join(dataDir, 'logs')})`,
        '',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    process.stderr.write(`\nnpm start failed: ${describeError(error)}\n`);
    await shutdown(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\nnpm start failed: ${describeError(error)}\n`);
  process.exit(1);
});
