import type { Db } from 'mongodb';
import type { WorkingHours } from '../domain/working-hours';
import { collections } from './collections';
import { isDuplicateKey } from './mongo-errors';

/** The group's schedule of this kind, or the tenant's default (group `*`). */
export const anyGroup = '*';
const key = (tenantId: string, groupId: string, kind: string) => `${tenantId}:${groupId}:${kind}`;

export function hoursStore(db: Db) {
  const { hours } = collections(db);
  return {
    async put(tenantId: string, groupId: string, kind: string, schedule: WorkingHours) {
      await hours.replaceOne(
        { _id: key(tenantId, groupId, kind) },
        { tenantId, groupId, kind, schedule },
        { upsert: true },
      );
    },

    /** Adds the (group, kind) schedule; false when one exists already (nothing is written). */
    async insert(tenantId: string, groupId: string, kind: string, schedule: WorkingHours) {
      try {
        await hours.insertOne({
          _id: key(tenantId, groupId, kind),
          tenantId,
          groupId,
          kind,
          schedule,
        });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },

    /** Replaces an existing schedule; false when the tenant has none for (group, kind). */
    async replace(tenantId: string, groupId: string, kind: string, schedule: WorkingHours) {
      const result = await hours.replaceOne(
        { _id: key(tenantId, groupId, kind), tenantId },
        { tenantId, groupId, kind, schedule },
      );
      return result.matchedCount === 1;
    },

    async remove(tenantId: string, groupId: string, kind: string) {
      const result = await hours.deleteOne({ _id: key(tenantId, groupId, kind), tenantId });
      return result.deletedCount === 1;
    },

    async get(tenantId: string, groupId: string, kind: string) {
      return hours.findOne({ _id: key(tenantId, groupId, kind), tenantId });
    },

    async list(tenantId: string) {
      return hours.find({ tenantId }).sort({ _id: 1 }).toArray();
    },

    /** The group's own schedules (every kind). */
    async ofGroup(tenantId: string, groupId: string) {
      return hours.find({ tenantId, groupId }).sort({ _id: 1 }).toArray();
    },

    /** The schedule that applies to the group; undefined means always open. */
    async forGroup(tenantId: string, groupId: string, kind: string) {
      const docs = await hours
        .find({ _id: { $in: [key(tenantId, groupId, kind), key(tenantId, anyGroup, kind)] } })
        .toArray();
      const own = docs.find((d) => d.groupId === groupId) ?? docs[0];
      return own?.schedule;
    },
  };
}

export type HoursStore = ReturnType<typeof hoursStore>;
