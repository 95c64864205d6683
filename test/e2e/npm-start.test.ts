import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultTemplates } from '../../domain/flow';
import { freePort, isPortFree } from '../../scripts/stack/ports';
import { launchChromium, screenshotPath } from '../support/browser';
import { eventually } from '../support/engine';

/**
 * `npm start` as a newcomer runs it: the embedded stack comes up, the printed
 * visitor page shows the greeting, the Web UI filters the session by tenant,
 * Ctrl-C stops everything, and a second start finds the first one's data.
 */

const root = join(__dirname, '..', '..');
jest.setTimeout(300_000);

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startEngine(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

async function waitForOutput(started: Started, text: string, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null)
      throw new Error(`npm start exited early:\n${started.output()}`);
    if (Date.now() > deadline)
      throw new Error(`npm start did not print "${text}":\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGINT');
  return started.exited;
}

describe('npm start', () => {
  let dataDir: string;
  let ports: Record<
    'PORT' | 'TEMPORAL_PORT' | 'TEMPORAL_UI_PORT' | 'MONGODB_PORT' | 'REDIS_PORT',
    number
  >;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reception-start-'));
    ports = {
      PORT: await freePort(),
      TEMPORAL_PORT: await freePort(),
      TEMPORAL_UI_PORT: await freePort(),
      MONGODB_PORT: await freePort(),
      REDIS_PORT: await freePort(),
    };
    env = {
      DATA_DIR: dataDir,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    };
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when started, then the printed pages work, a dead server shows in /readyz, and Ctrl-C stops every process it started', async () => {
    const first = startEngine(env);
    let workflowId: string;
    try {
      await waitForOutput(first, 'Reception Engine is running.');
      const api = `http://localhost:${ports.PORT}`;
      expect(first.output()).toContain(`${api}/visitor/?tenant=demo`);
      expect(first.output()).toContain(
        `http://localhost:${ports.TEMPORAL_UI_PORT}/namespaces/default/workflows`,
      );
      expect(first.output()).toContain(`${api}/docs`);

      expect((await fetch(`${api}/readyz`)).status).toBe(200);
      expect((await fetch(`${api}/docs/`)).status).toBe(200);
      expect((await fetch(`http://localhost:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);
      // The mail inbox: Mailpit's HTTP API and its web UI, built by the provisioning.
      const inbox = /Mail inbox\s+(http:\/\/localhost:\d+)/.exec(first.output())?.[1];
      expect(inbox).toBeDefined();
      expect((await fetch(`${inbox ?? ''}/api/v1/messages`)).status).toBe(200);
      expect((await fetch(`${inbox ?? ''}/dist/app.css`)).status).toBe(200);
      // The printed demo login works for the console.
      expect(first.output()).toContain('password "demo-password"');
      const login = await fetch(`${api}/api/v1/auth/agent-login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId: 'demo', agentId: 'alice', password: 'demo-password' }),
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({ agentId: 'alice', role: 'agent' });

      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 600, height: 420 } });
        await page.goto(`${api}/visitor/?tenant=demo`);
        const greeting = page.locator('.message--robot .message__text');
        await greeting.waitFor({ timeout: 30_000 });
        expect(await greeting.textContent()).toBe(defaultTemplates['zh-CN'].greeting);
        await page.screenshot({ path: await screenshotPath('visitor-greeting') });
      } finally {
        await browser.close();
      }

      const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
      try {
        const client = new Client({ connection });
        const listed = [];
        for await (const wf of client.workflow.list({ query: 'TenantId="demo"' })) listed.push(wf);
        expect(listed).toHaveLength(1);
        expect(listed[0]?.workflowId).toMatch(/^session\/demo\//);
        workflowId = listed[0]!.workflowId;
      } finally {
        await connection.close();
      }

      // Redis dies under a running engine: it stays up and /readyz names redis.
      const redisPid = Number(
        execFileSync('pgrep', ['-f', `redis-server 127.0.0.1:${ports.REDIS_PORT}`])
          .toString()
          .trim(),
      );
      process.kill(redisPid, 'SIGKILL');
      const unready = await eventually(async () => {
        const response = await fetch(`${api}/readyz`);
        return response.status === 503 ? response : undefined;
      });
      expect(await unready.json()).toMatchObject({ status: 'unavailable', failing: ['redis'] });
      // npm start reports the death when it reaps the process, which may be after /readyz notices.
      await eventually(() =>
        Promise.resolve(
          first.output().includes('the engine keeps running without redis') ? true : undefined,
        ),
      );
    } finally {
      expect(await stop(first)).toBe(0);
    }
    expect(first.output()).toContain('[stack] stopped');
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);

    // A second start finds the first one's data: the demo tenant and its session.
    const second = startEngine(env);
    try {
      await waitForOutput(second, 'Reception Engine is running.');
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
      try {
        const description = await new Client({ connection }).workflow
          .getHandle(workflowId)
          .describe();
        expect(description.status.name).toBe('RUNNING');
      } finally {
        await connection.close();
      }
    } finally {
      expect(await stop(second)).toBe(0);
    }
  });

  it('when `npm start` itself gets SIGTERM (as docker stop, systemd and process managers send it), then every process it started stops and frees its port', async () => {
    // Through npm, as the README runs it: npm signals its script's process.
    const child = spawn('npm', ['start'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const started: Started = { child, output: () => output, exited };
    await waitForOutput(started, 'Reception Engine is running.');
    child.kill('SIGTERM');
    await exited;
    // npm may answer before its script has stopped everything: the ports say when it has.
    await eventually(async () => {
      const free = await Promise.all(Object.values(ports).map((port) => isPortFree(port)));
      return free.every(Boolean) ? true : undefined;
    }, 60_000);
    const left = execFileSync('ps', ['-eo', 'args']).toString();
    expect(left).not.toContain(dataDir);
  });

  it('when a port is already in use, then it exits non-zero naming the port and its env key', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.TEMPORAL_PORT, '127.0.0.1', resolve));
    try {
      const started = startEngine(env);
      expect(await started.exited).not.toBe(0);
      expect(started.output()).toContain(
        `port ${ports.TEMPORAL_PORT} (Temporal frontend, TEMPORAL_PORT) is already in use`,
      );
    } finally {
      blocker.close();
    }
  });
});
