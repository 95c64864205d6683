import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { CustomerDataStore } from '../../stores/customer-data';
import { chatMessage } from '../openapi';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { isoTime } from '../http/schemas';
import { eraseCustomer, type EraseCustomerDeps } from '../use-cases/erase-customer';

export interface CustomerDataDeps extends EraseCustomerDeps {
  customers: CustomerDataStore;
}

const customerParams = z.strictObject({ visitorId: opaqueId });

export const customerExport = z.object({
  visitorId: z.string(),
  exportedAt: isoTime,
  profile: z.looseObject({}).optional().meta({ description: 'The stored customer profile' }),
  tags: z.array(z.string()).meta({ description: 'Tag ids on the customer' }),
  sessions: z.array(
    z
      .looseObject({
        sessionId: z.string(),
        phase: z.string(),
        startedAt: isoTime,
        rating: z
          .object({ score: z.number(), comment: z.string().optional(), at: isoTime })
          .optional(),
        tags: z.array(z.string()).optional(),
        messages: z.array(chatMessage),
      })
      .meta({ description: 'A session as stored, with every message of it' }),
  ),
  tickets: z.array(z.looseObject({ ticketId: z.string() })),
  outreach: z.array(z.looseObject({ outreachId: z.string() })),
});

export const erasedCustomer = z.object({
  visitorId: z.string(),
  sessions: z.number().meta({ description: 'Sessions of the customer that were erased' }),
  workflows: z.number().meta({ description: 'Workflow executions deleted from Temporal' }),
  deleted: z
    .record(z.string(), z.number())
    .meta({ description: 'Documents deleted, per MongoDB collection' }),
  redisEntries: z.number(),
});

/**
 * A customer's data as a data subject may ask for it (GDPR articles 15, 17,
 * 20): everything held about them as JSON, and erasure everywhere. Admin
 * keys only: both read or destroy whole transcripts.
 */
export function customerDataRoutes(api: ReturnType<typeof endpoints>, deps: CustomerDataDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/customers/:visitorId/export',
    tag: 'data lifecycle',
    summary:
      'Everything held about a customer as JSON: profile, tags, sessions with ratings and messages, tickets, outreach',
    roles: roles.admin,
    params: customerParams,
    responses: { 200: { description: 'The customer’s data', schema: customerExport } },
    errors: { 404: 'Nothing is held about this customer' },
    async handle({ params, principal }) {
      const exported = await deps.customers.export(tenantOf(principal), params.visitorId);
      if (!exported) throw new AppError(404, 'not_found', `No customer ${params.visitorId}`);
      return { status: 200, body: exported };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/customers/:visitorId',
    tag: 'data lifecycle',
    summary:
      'Erase a customer everywhere: open session closed, workflows deleted from Temporal, every document and Redis key removed',
    roles: roles.admin,
    params: customerParams,
    responses: { 200: { description: 'Erased; what was removed', schema: erasedCustomer } },
    errors: { 404: 'Nothing is held about this customer (also the answer to a repeated erase)' },
    async handle({ params, principal }) {
      const erased = await eraseCustomer(deps, tenantOf(principal), params.visitorId);
      if (!erased) throw new AppError(404, 'not_found', `No customer ${params.visitorId}`);
      return { status: 200, body: erased };
    },
  });
}
