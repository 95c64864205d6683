import type { Db } from 'mongodb';
import type { StaffRole } from '../runtime/tokens';
import { collections } from './collections';

const key = (tenantId: string, agentId: string) => `${tenantId}:${agentId}`;

/** Console users: role and password hash per (tenant, agent). */
export function staffStore(db: Db) {
  const { staff } = collections(db);
  return {
    async upsert(
      tenantId: string,
      agentId: string,
      profile: { role: StaffRole; name?: string; passwordHash?: string },
    ): Promise<void> {
      await staff.updateOne(
        { _id: key(tenantId, agentId) },
        {
          $set: {
            tenantId,
            agentId,
            role: profile.role,
            updatedAt: new Date(),
            ...(profile.name !== undefined ? { name: profile.name } : {}),
            // An omitted password keeps the one set before.
            ...(profile.passwordHash !== undefined ? { passwordHash: profile.passwordHash } : {}),
          },
        },
        { upsert: true },
      );
    },

    async get(tenantId: string, agentId: string) {
      return staff.findOne({ _id: key(tenantId, agentId), tenantId });
    },

    async list(tenantId: string) {
      return staff.find({ tenantId }).toArray();
    },
  };
}

export type StaffStore = ReturnType<typeof staffStore>;
