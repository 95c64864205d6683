import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { RedisClient } from '../../runtime/connections';
import { tenantPrefix } from '../../stores/redis/keys';
import { eraseTenantData } from '../../stores/tenant-data';
import type { TenantStore } from '../../stores/tenants';
import { searchAttributes } from '../../workflows/contract';
import type { TenantSuspension } from '../auth/tenant-suspension';
import { deleteExecution, listExecutions, quoted } from './session-workflows';

export interface DeleteTenantDeps {
  temporal: Client;
  db: Db;
  redis: RedisClient;
  tenants: Pick<TenantStore, 'summary' | 'remove'>;
  suspension: Pick<TenantSuspension, 'forget'>;
}

export interface DeletedTenant {
  tenantId: string;
  workflows: number;
  deleted: Record<string, number>;
  redisKeys: number;
}

/**
 * Deletes a suspended tenant and everything of it: its workflows from
 * Temporal (history and visibility), its documents from every MongoDB
 * collection, its Redis state (routing, caches, counters: every key under
 * the tenant's prefix), and last the tenant itself, so a rerun after an
 * interruption still finds it and finishes. Only a suspended tenant may go:
 * suspension has closed its sessions and refused its credentials, so
 * nothing writes for it while it is taken apart.
 */
export async function deleteTenant(
  deps: DeleteTenantDeps,
  tenantId: string,
): Promise<DeletedTenant | 'not_suspended' | undefined> {
  const tenant = await deps.tenants.summary(tenantId);
  if (!tenant) return undefined;
  if (!tenant.suspendedAt) return 'not_suspended';

  let workflows = 0;
  const executions = await listExecutions(
    deps.temporal,
    `${searchAttributes.tenantId.name} = ${quoted(tenantId)}`,
  );
  for (const { workflowId, runId } of executions) {
    if (await deleteExecution(deps.temporal, workflowId, runId)) workflows++;
  }
  const deleted = await eraseTenantData(deps.db, tenantId);
  let redisKeys = await dropTenantKeys(deps.redis, tenantId);
  await deps.tenants.remove(tenantId);
  deps.suspension.forget(tenantId);
  // A worker's routing upkeep that listed the tenant before it went may
  // have written its state again meanwhile.
  redisKeys += await dropTenantKeys(deps.redis, tenantId);
  return { tenantId, workflows, deleted, redisKeys };
}

/** Deletes every Redis key under the tenant's prefix (they share one hash tag, one slot). */
async function dropTenantKeys(redis: RedisClient, tenantId: string): Promise<number> {
  let dropped = 0;
  for await (const keys of redis.scanIterator({
    MATCH: `${tenantPrefix(tenantId)}*`,
    COUNT: 500,
  })) {
    if (keys.length) dropped += await redis.del(keys);
  }
  return dropped;
}
