import type { Db } from 'mongodb';
import { blobBucket, gridFsBlobs } from './attachment-blobs';
import { collections } from './collections';
import { escapeRegex } from './customer-data';

/**
 * Deletes every document of a tenant from every collection of the database
 * (each document carries `tenantId`; replayable answers carry it in their
 * key), except the tenant document itself, which the caller removes last so
 * that a rerun after an interruption still finds the tenant. Returns how
 * many per collection. Idempotent.
 */
export async function eraseTenantData(db: Db, tenantId: string): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  // Attachments' bytes (GridFS keeps the tenant in each file's metadata, not at the top).
  const blobs = await gridFsBlobs(db).removeTenant(tenantId);
  if (blobs > 0) deleted[blobBucket] = blobs;
  const listed = await db.listCollections({}, { nameOnly: true }).toArray();
  for (const { name } of listed) {
    if (name === 'tenants' || name.startsWith('system.') || name.startsWith(`${blobBucket}.`)) {
      continue;
    }
    const { deletedCount } = await db.collection(name).deleteMany({ tenantId });
    if (deletedCount > 0) deleted[name] = deletedCount;
  }
  const { deletedCount } = await collections(db).idempotency.deleteMany({
    _id: { $regex: `^${escapeRegex(`tenant:${tenantId}:`)}` },
  });
  if (deletedCount > 0) deleted.idempotency = (deleted.idempotency ?? 0) + deletedCount;
  return deleted;
}
