import type { Db } from 'mongodb';
import { collections } from './collections';
import { tenantHookStore } from './tenant-hook-store';

/**
 * Each tenant's bot hook (domain/bot-hook.ts), one document per tenant.
 * Written by the admin API; read by the session opening (is one active?)
 * and by each bot turn (where, how long, which secret).
 */
export const botHookStore = (db: Db) => tenantHookStore(collections(db).botHooks, 'bot hook');

export type BotHookStore = ReturnType<typeof botHookStore>;
