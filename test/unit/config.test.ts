import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  apiConfigSchema,
  ConfigError,
  parseConfig,
  parseWorkerConfig,
  workerConfigSchema,
} from '../../runtime/config';

const secret = 'x'.repeat(32);

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.key);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('when only the secret is given, then every other key has its documented default', () => {
    expect(parseConfig(apiConfigSchema, { TOKEN_SECRET: secret })).toEqual({
      PORT: 3000,
      HOST: '0.0.0.0',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'reception-sessions',
      MONGODB_URL: 'mongodb://127.0.0.1:27017',
      MONGODB_DATABASE: 'reception',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'info',
      TOKEN_SECRET: secret,
      VISITOR_TOKEN_TTL_SECONDS: 86_400,
      VISITOR_CREDENTIAL_TTL_DAYS: 180,
      AGENT_TOKEN_TTL_SECONDS: 28_800,
      IDEMPOTENCY_TTL_SECONDS: 86_400,
      READINESS_TIMEOUT_MS: 2_000,
      PRESENCE_HEARTBEAT_MS: 2_000,
      VISITOR_SEND_LIMIT: 30,
      VISITOR_SEND_WINDOW_SECONDS: 10,
      LOGIN_FAILURES_PER_ACCOUNT: 5,
      LOGIN_FAILURES_PER_ADDRESS: 20,
      LOGIN_WINDOW_SECONDS: 900,
      TRUST_PROXY: false,
      EVENT_SETTLE_MS: 3_000,
      EVENT_RETENTION_DAYS: 30,
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: false,
      WEBHOOK_RETRY_BASE_MS: 10_000,
      WEBHOOK_RETRY_MAX_MS: 3_600_000,
      WEBHOOK_RETRY_WINDOW_MS: 86_400_000,
      WEBHOOK_DISABLE_AFTER_FAILURES: 3,
      WEBHOOK_TIMEOUT_MS: 10_000,
      WEBHOOK_POLL_MS: 1_000,
      MAIL_FROM: 'support@reception.localhost',
      MAIL_REPLY_DOMAIN: 'localhost',
      EMAIL_BATCH_MS: 90_000,
      ATTACHMENT_MAX_IMAGE_BYTES: 10_485_760,
      ATTACHMENT_MAX_VIDEO_BYTES: 52_428_800,
      ATTACHMENT_MAX_FILE_BYTES: 20_971_520,
      ATTACHMENT_LINK_TTL_SECONDS: 604_800,
    });
  });

  it('when every default is written back as an environment (as a second process gets it), then it parses to the same values', () => {
    for (const [schema, base] of [
      [apiConfigSchema, { TOKEN_SECRET: secret }],
      [workerConfigSchema, {}],
    ] as const) {
      const defaults = parseConfig(schema, base);
      const asEnv = Object.fromEntries(
        Object.entries(defaults)
          .filter(([, value]) => value !== undefined)
          .map(([key, value]) => [key, String(value)]),
      );
      expect(parseConfig(schema, asEnv)).toEqual(defaults);
    }
  });

  it('when the worker is given SMTP_URL without TOKEN_SECRET, or a mail key is bad, then the key is named', () => {
    expect(() => parseWorkerConfig({ SMTP_URL: 'smtp://127.0.0.1:1025' })).toThrow(
      /TOKEN_SECRET: is required with SMTP_URL/,
    );
    expect(parseWorkerConfig({}).SMTP_URL).toBeUndefined();
    expect(() =>
      parseConfig(apiConfigSchema, {
        TOKEN_SECRET: secret,
        SMTP_URL: 'http://mail',
        MAIL_FROM: 'nobody',
        MAIL_REPLY_DOMAIN: 'not a domain',
      }),
    ).toThrow(
      /SMTP_URL: must be a URL starting with smtp:\/\/ or smtps:\/\/[\s\S]*MAIL_FROM[\s\S]*MAIL_REPLY_DOMAIN/,
    );
  });

  it('when the operator token is shorter than 32 characters, then the key is named', () => {
    expect(() =>
      parseConfig(apiConfigSchema, { TOKEN_SECRET: secret, OPERATOR_TOKEN: 'short' }),
    ).toThrow(/OPERATOR_TOKEN: must be at least 32 characters/);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['MONGODB_URL', 'not a url'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['LOG_LEVEL', 'loud'],
    ['TOKEN_SECRET', 'short'],
    ['MONGODB_DATABASE', 'has space'],
  ])('when %s is %j, then the error names that key', (key, value) => {
    expect(
      problemsOf(() => parseConfig(apiConfigSchema, { TOKEN_SECRET: secret, [key]: value })),
    ).toEqual([key]);
  });

  it.each([
    ['WORKER_METRICS_PORT', 'abc'],
    ['WORKER_METRICS_PORT', '70000'],
    ['TEMPORAL_METRICS_ADDRESS', '9465'],
    ['WORKER_MAX_CACHED_WORKFLOWS', '-1'],
  ])('when the worker gets %s %j, then the error names that key', (key, value) => {
    expect(problemsOf(() => parseConfig(workerConfigSchema, { [key]: value }))).toEqual([key]);
  });

  it('when the worker is given no metrics settings, then it serves no /metrics and the SDK exports none', () => {
    const config = parseConfig(workerConfigSchema, {});
    expect(config.WORKER_METRICS_PORT).toBeUndefined();
    expect(config.TEMPORAL_METRICS_ADDRESS).toBeUndefined();
    expect(
      parseConfig(workerConfigSchema, {
        WORKER_METRICS_PORT: '9464',
        TEMPORAL_METRICS_ADDRESS: '127.0.0.1:9465',
      }),
    ).toMatchObject({ WORKER_METRICS_PORT: 9464, TEMPORAL_METRICS_ADDRESS: '127.0.0.1:9465' });
  });

  it('when several keys are bad, then each one is named', () => {
    expect(
      problemsOf(() => parseConfig(apiConfigSchema, { PORT: 'x', REDIS_URL: 'y' })).sort(),
    ).toEqual(['PORT', 'REDIS_URL', 'TOKEN_SECRET'].sort());
  });

  it('when a value is an empty string, then it counts as unset', () => {
    expect(parseConfig(workerConfigSchema, { REDIS_URL: '' }).REDIS_URL).toBe(
      'redis://127.0.0.1:6379',
    );
  });
});

function runEntry(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const root = join(__dirname, '..', '..');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('process entry points', () => {
  it('when `npm run api` gets PORT=abc, then it exits non-zero naming PORT', async () => {
    const { code, stderr } = await runEntry('api/main.ts', { PORT: 'abc', TOKEN_SECRET: secret });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/PORT: /);
  });

  it('when `npm run worker` gets a bad REDIS_URL, then it exits non-zero naming REDIS_URL', async () => {
    const { code, stderr } = await runEntry('workers/main.ts', { REDIS_URL: 'localhost' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/REDIS_URL: /);
  });
});
