import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { CustomerDataStore } from '../../stores/customer-data';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { customerExport } from '../views';

export interface CustomerExportDeps {
  customers: CustomerDataStore;
}

const customerParams = z.strictObject({ visitorId: opaqueId });

/**
 * `/api/v1/customers/:visitorId/export`: everything held about a customer as
 * JSON, as a data subject may ask for it (GDPR articles 15, 20); erasure
 * (article 17) is `DELETE /api/v1/customers/:visitorId` in customers.ts.
 * Admin keys only: it reads whole transcripts.
 */
export function customerExportRoutes(api: ReturnType<typeof endpoints>, deps: CustomerExportDeps) {
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
}
