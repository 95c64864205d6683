import type { Db } from 'mongodb';
import type { WorkingHours } from '../domain/working-hours';
import { collections } from './collections';

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
