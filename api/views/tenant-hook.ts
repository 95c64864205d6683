import { z } from 'zod';
import type { TenantHookDoc } from '../../stores/tenant-hook-store';
import { isoTime } from '../http/schemas';

/** A tenant hook (bot, order lookup) as the admin API shows it: never the secret, but on create and rotate. */

export const tenantHookView = z.object({
  url: z.string(),
  timeoutMs: z.number().meta({ description: 'The deadline of a call to the hook' }),
  active: z.boolean(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const createdTenantHook = tenantHookView.extend({
  secret: z.string().meta({
    description: 'The signing secret; shown only when the hook is created and on rotate',
  }),
});

export const toTenantHookView = (doc: TenantHookDoc) => ({
  url: doc.url,
  timeoutMs: doc.timeoutMs,
  active: doc.active,
  createdAt: doc.createdAt.toISOString(),
  updatedAt: doc.updatedAt.toISOString(),
});
