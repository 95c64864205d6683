import { agentStatuses } from '../../../domain/agents';
import { closeRedis, connectMongo, connectRedis } from '../../../runtime/connections';
import { agentStore } from '../../../stores/agents';
import { createRouter } from '../../../routing/router';
import { createRoutingService } from '../../../routing/service';
import { sessionStore } from '../../../stores/sessions';
import { tenantStore } from '../../../stores/tenants';

/**
 * A process that changes an agent's presence through the routing service and
 * is killed (SIGKILL, no clean-up) at the moment it would tell the first
 * waiting session of the decision: the crash window between the Redis
 * decision and the workflow hearing of it.
 * Args: mongodbUrl database redisUrl tenantId agentId status
 */
async function main(): Promise<void> {
  const [mongodbUrl, database, redisUrl, tenantId, agentId, status] = process.argv.slice(2);
  const presence = agentStatuses.find((s) => s === status);
  if (!mongodbUrl || !database || !redisUrl || !tenantId || !agentId || !presence) {
    throw new Error(
      'usage: die-before-telling <mongodbUrl> <database> <redisUrl> <tenantId> <agentId> <status>',
    );
  }
  const mongo = await connectMongo(mongodbUrl, database);
  const redis = await connectRedis(redisUrl, () => undefined);
  const routing = createRoutingService({
    router: createRouter(redis),
    agents: agentStore(mongo.db),
    sessions: sessionStore(mongo.db),
    tenants: tenantStore(mongo.db),
    tell: () => {
      process.kill(process.pid, 'SIGKILL');
      return new Promise<never>(() => undefined);
    },
  });
  await routing.setStatus(tenantId, agentId, presence);
  // Reached only when the change decided nothing: say so, so the test fails clearly.
  await closeRedis(redis);
  await mongo.client.close();
  process.stdout.write('no decision was made\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(2);
});
