import { z } from 'zod';
import { apiKeyRoles } from '../../domain/access';
import { staffRoles } from '../../domain/staff-roles';
import type { AuditDoc } from '../../stores/collections';
import { isoTime } from '../http/schemas';

/** Who may call: tenants, their API keys, agents' login, and the audit log of who changed what. */

export const tenantSummary = z.object({
  tenantId: z.string(),
  name: z.string(),
  createdAt: isoTime,
  suspendedAt: isoTime.optional().meta({ description: 'Present while the tenant is suspended' }),
  retentionDays: z.number().optional(),
});

export const suspendedTenant = z.object({
  tenant: tenantSummary,
  closedSessions: z.number().meta({ description: 'Live sessions closed by this call' }),
  disconnected: z.number().meta({ description: 'Sockets disconnected by this call' }),
});

export const deletedTenant = z.object({
  tenantId: z.string(),
  workflows: z.number().meta({ description: 'Workflow executions deleted from Temporal' }),
  deleted: z.record(z.string(), z.number()).meta({ description: 'Documents per collection' }),
  redisKeys: z.number(),
});

export const apiKeyInfo = z.object({
  keyId: z.string(),
  name: z.string(),
  role: z.enum(apiKeyRoles),
  createdAt: isoTime,
  revokedAt: isoTime.optional(),
});
export const createdApiKey = apiKeyInfo.extend({
  key: z.string().meta({ description: 'The key itself: shown only in this answer' }),
});

export const createdTenant = z.object({
  tenantId: z.string(),
  name: z.string(),
  flowVersion: z.number(),
  adminKey: createdApiKey,
});

export const agentSession = z.object({
  token: z.string(),
  expiresAt: isoTime,
  agentId: z.string(),
  role: z.enum(staffRoles),
});

export const auditEntryView = z.object({
  id: z.string(),
  at: isoTime,
  actor: z.object({
    kind: z.enum(['api_key', 'staff', 'operator']),
    id: z.string(),
    role: z.string(),
  }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  summary: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
    .optional(),
});

export const toAuditEntryView = (doc: AuditDoc): z.infer<typeof auditEntryView> => ({
  id: doc._id,
  at: doc.at.toISOString(),
  actor: doc.actor,
  action: doc.action,
  target: doc.target,
  ...(doc.summary ? { summary: doc.summary } : {}),
});
