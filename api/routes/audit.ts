import { z } from 'zod';
import { roles } from '../../domain/access';
import type { AuditStore } from '../../stores/audit';
import { tenantOf } from '../auth/authenticate';
import type { endpoints } from '../http/endpoint';
import { auditEntryView, toAuditEntryView } from '../views';

export interface AuditRouteDeps {
  audit: AuditStore;
}

/** Decimal digits only: `1e2` or `0x10` are not page sizes. */
const pageSize = z
  .string()
  .regex(/^[0-9]{1,3}$/, { message: 'must be a whole number from 1 to 200' })
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200'))
  .optional()
  .default(50)
  .meta({ description: 'Entries per page (1–200, default 50)' });

export const auditQuery = z.strictObject({
  after: z
    .string()
    .regex(/^[0-9]{13}-[0-9a-f]{12}$/, { message: 'must be the `next` of a previous page' })
    .optional()
    .meta({ description: 'The `next` of the previous page' }),
  limit: pageSize,
  action: z
    .string()
    .regex(/^[a-z_]{1,40}\.[a-z_]{1,40}$/, { message: 'must look like `flow.updated`' })
    .optional()
    .meta({ description: 'Only this action, e.g. `agent.deactivated`' }),
  actor: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Only changes by this actor id (an API key id or an agent id)' }),
});

/** The tenant's audit log: who changed which configuration or account, when. */
export function auditRoutes(api: ReturnType<typeof endpoints>, deps: AuditRouteDeps): void {
  api.add({
    method: 'get',
    path: '/api/v1/audit',
    tag: 'audit',
    summary: 'The audit log: configuration and account changes, newest first (admins only)',
    roles: roles.admin,
    query: auditQuery,
    responses: {
      200: {
        description: 'A page of entries; `next` pages on while more follow',
        schema: z.object({ items: z.array(auditEntryView), next: z.string().optional() }),
      },
    },
    async handle({ query, principal }) {
      const { limit, ...filter } = query;
      // One more than asked tells whether another page follows.
      const docs = await deps.audit.list(tenantOf(principal), filter, limit + 1);
      const page = docs.slice(0, limit);
      const last = page[page.length - 1];
      return {
        status: 200,
        body: {
          items: page.map(toAuditEntryView),
          ...(docs.length > limit && last ? { next: last._id } : {}),
        },
      };
    },
  });
}
