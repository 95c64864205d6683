/**
 * Redis key names, generic part. Every key of a tenant starts with the same
 * prefix, whose `{t:<tenantId>}` is a Redis Cluster hash tag: only the part
 * in braces decides the slot, so all of a tenant's keys live on one slot.
 * That is why the Lua scripts (stores/redis/eval.ts) declare a single key
 * and build the others from the prefix inside the script: Redis Cluster
 * refuses a script whose keys span slots, and routes it by its declared
 * key, so one declared key of the tenant routes it to the slot every other
 * key of that tenant shares.
 */
export function tenantPrefix(tenantId: string): string {
  return `re:{t:${tenantId}}:`;
}
