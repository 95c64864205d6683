import { describeError } from '../runtime/logger';
import { step } from './log';
import { cacheDir, ensureTools, ProvisionError, type ToolName } from './provision/tools';

/**
 * `npm run provision [tool…]`: installs the local servers and test tools ahead
 * of time (npm start and npm test do it on demand) and prints where each is.
 */
const all: ToolName[] = [
  'redis-server',
  'ferretdb',
  'temporal',
  'temporal-test-server',
  'mailpit',
  'chromium',
];

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !all.includes(name as ToolName));
  if (unknown.length > 0)
    throw new Error(`unknown tool(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
  const names = requested.length > 0 ? (requested as ToolName[]) : all;
  step('provision', `cache: ${cacheDir()}`);
  const paths = await ensureTools(names);
  for (const name of names) step('provision', `${name}: ${paths[name]}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ProvisionError ? error.message : describeError(error)}\n`,
  );
  process.exit(1);
});
