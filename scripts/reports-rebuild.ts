import { parseArgs } from 'node:util';
import { z } from 'zod';
import { rebuildReports } from '../reports/rebuild';
import { parseConfig, workerConfigSchema } from '../runtime/config';
import { connectMongo } from '../runtime/connections';

/**
 * `npm run reports:rebuild -- --tenant T --from YYYY-MM-DD --to YYYY-MM-DD`:
 * recomputes a tenant's report facts and rollups for the sessions that
 * started in the range (local days), from the stored sessions and messages
 * (reports/rebuild.ts). Reads MONGODB_URL and MONGODB_DATABASE as the worker does.
 */
const args = z.object({
  tenant: z.string().min(1),
  from: z.iso.date(),
  to: z.iso.date(),
});

async function main() {
  const { values } = parseArgs({
    options: { tenant: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  });
  const parsed = args.safeParse(values);
  if (!parsed.success) {
    const named = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`);
    throw new Error(`usage: --tenant T --from YYYY-MM-DD --to YYYY-MM-DD (${named.join('; ')})`);
  }
  const config = parseConfig(workerConfigSchema, process.env);
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DATABASE);
  try {
    const { tenant, from, to } = parsed.data;
    const done = await rebuildReports(mongo.db, { tenantId: tenant, from, to });
    process.stdout.write(
      `rebuilt ${done.sessions} sessions of ${tenant} (${from}..${to}); ${done.days} days of rollups refreshed\n`,
    );
  } finally {
    await mongo.client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
