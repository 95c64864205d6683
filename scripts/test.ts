import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeError } from '../runtime/logger';
import { step } from './log';
import { ensureTools } from './provision/tools';
import { startEmbeddedStack, type Stack } from './stack/embedded';
import { freePort } from './stack/ports';

/**
 * `npm test`: provisions what is missing, starts an isolated stack on free
 * ports in a throw-away folder, runs jest against it, and tears it down.
 * Arguments after `--` go to jest (e.g. `npm test -- test/unit`).
 */

const root = resolve(__dirname, '..');

function runJest(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolveCode) => {
    const jest = spawn(
      process.execPath,
      [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...args],
      {
        cwd: root,
        env,
        stdio: 'inherit',
      },
    );
    jest.on('close', (code, signal) => resolveCode(code ?? (signal ? 1 : 0)));
  });
}

/** One plain closing line, the same whatever reporter jest used; printed last. */
let summary = '';
async function readSummary(resultsFile: string): Promise<void> {
  try {
    const results = JSON.parse(await readFile(resultsFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numRuntimeErrorTestSuites?: number;
    };
    summary = `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`;
    // A suite can fail with every test passed (an error thrown after them): say so, not "0 failed".
    const broken = results.numRuntimeErrorTestSuites ?? 0;
    if (broken > 0) summary += `; ${broken} suite${broken === 1 ? '' : 's'} failed to run`;
  } catch {
    // jest wrote no results (it failed before running): its own output says why.
  }
}

async function main(): Promise<number> {
  const tools = await ensureTools([
    'redis-server',
    'ferretdb',
    'temporal',
    'temporal-test-server',
    'chromium',
  ] as const);
  const dataDir = await mkdtemp(join(tmpdir(), 'reception-test-'));
  let stack: Stack | undefined;
  const cleanup = async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const onSignal = () => {
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    stack = await startEmbeddedStack({
      dataDir,
      persistent: false,
      ports: { temporal: await freePort(), mongodb: await freePort(), redis: await freePort() },
    });
    step('test', 'stack ready; running jest');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      RE_TEST_TEMPORAL_ADDRESS: stack.urls.temporalAddress,
      RE_TEST_MONGODB_URL: stack.urls.mongodbUrl,
      RE_TEST_REDIS_URL: stack.urls.redisUrl,
      RE_TEST_SMTP_URL: stack.urls.smtpUrl,
      RE_TEST_MAIL_INBOX: stack.urls.mailInbox,
      RE_TEST_REDIS_SERVER: tools['redis-server'],
      RE_TEST_TEMPORAL: tools.temporal,
      RE_TEST_TIME_SKIPPING_SERVER: tools['temporal-test-server'],
      RE_TEST_CHROMIUM: tools.chromium,
      RE_TEST_DATA_DIR: dataDir,
    };
    const args = process.argv.slice(2);
    if (process.env.CI === 'true' && !args.includes('--ci')) args.unshift('--ci');
    const resultsFile = join(dataDir, 'jest-results.json');
    const code = await runJest([...args, '--json', `--outputFile=${resultsFile}`], env);
    await readSummary(resultsFile);
    return code;
  } finally {
    step('test', 'tearing the stack down');
    await cleanup();
  }
}

main().then(
  (code) => {
    if (summary) process.stdout.write(`\n${summary}\n`);
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`\nnpm test could not run: ${describeError(error)}\n`);
    process.exit(1);
  },
);
