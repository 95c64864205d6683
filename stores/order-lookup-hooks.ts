import type { Db } from 'mongodb';
import { collections } from './collections';
import { tenantHookStore } from './tenant-hook-store';

/**
 * Each tenant's order lookup hook (domain/order-lookup.ts), one document per
 * tenant. Written by the admin API; read by each lookup the console's
 * customer panel asks for (where, how long, which secret).
 */
export const orderLookupHookStore = (db: Db) =>
  tenantHookStore(collections(db).orderLookupHooks, 'order lookup hook');

export type OrderLookupHookStore = ReturnType<typeof orderLookupHookStore>;
