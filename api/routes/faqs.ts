import { z } from 'zod';
import { roles } from '../../domain/access';
import { faqEntrySchema } from '../../domain/faq';
import type { FaqStore } from '../../stores/faqs';
import type { AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { checkFaqImport, faqImportSchema } from '../use-cases/import-faq';
import { faqView, importReport } from '../views';

export interface FaqDeps {
  faqs: FaqStore;
  audit: AuditTrail;
}

const faqParams = z.strictObject({ faqId: z.string().uuid() });
const notFound = (what: string) => new AppError(404, 'not_found', `No ${what}`);

/** `/api/v1/faqs`: the robot's FAQ, one entry at a time or imported in bulk. */
export function faqRoutes(api: ReturnType<typeof endpoints>, deps: FaqDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/faqs',
    tag: 'faq',
    summary: 'The robot’s FAQ',
    roles: roles.staff,
    responses: { 200: { description: 'Entries', schema: z.object({ items: z.array(faqView) }) } },
    async handle({ principal }) {
      return { status: 200, body: { items: await deps.faqs.list(tenantOf(principal)) } };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/faqs',
    tag: 'faq',
    summary: 'Add an FAQ entry',
    roles: roles.admin,
    body: faqEntrySchema,
    responses: { 201: { description: 'Added', schema: faqView } },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const entry = await deps.faqs.add(tenantId, body);
      await deps.audit.record(principal, tenantId, {
        action: 'faq.created',
        target: { type: 'faq', id: entry.id },
      });
      return { status: 201, body: entry };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/faqs/import',
    tag: 'faq',
    summary: 'Import many entries from JSON or CSV, with a per-row problem report',
    roles: ['admin', 'integration'],
    body: faqImportSchema,
    responses: {
      201: {
        description:
          'Imported (with onError=skip, `rows` lists the rows left out). CSV columns: question, answer, similar, keywords; lists separated by `|`.',
        schema: importReport,
      },
    },
    errors: {
      422: 'With onError=reject (default): some rows are invalid; `rows` names each, nothing is stored',
    },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const { valid, problems } = checkFaqImport(body);
      if (problems.length > 0 && body.onError === 'reject') {
        throw new AppError(
          422,
          'invalid_rows',
          `${problems.length} problem(s) in the import; nothing was stored`,
          {
            rows: problems,
          },
        );
      }
      const items = await deps.faqs.addMany(tenantId, valid);
      await deps.audit.record(principal, tenantId, {
        action: 'faq.imported',
        target: { type: 'faq', id: 'import' },
        summary: { imported: items.length },
      });
      return { status: 201, body: { imported: items.length, items, rows: problems } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/faqs/:faqId',
    tag: 'faq',
    summary: 'One FAQ entry',
    roles: roles.staff,
    params: faqParams,
    responses: { 200: { description: 'The entry', schema: faqView } },
    errors: { 404: 'No such entry' },
    async handle({ params, principal }) {
      const entry = await deps.faqs.get(tenantOf(principal), params.faqId);
      if (!entry) throw notFound(`FAQ entry ${params.faqId}`);
      return { status: 200, body: entry };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/faqs/:faqId',
    tag: 'faq',
    summary: 'Replace an FAQ entry',
    roles: roles.admin,
    params: faqParams,
    body: faqEntrySchema,
    responses: { 200: { description: 'Replaced', schema: faqView } },
    errors: { 404: 'No such entry' },
    async handle({ params, body, principal }) {
      const entry = await deps.faqs.replace(tenantOf(principal), params.faqId, body);
      if (!entry) throw notFound(`FAQ entry ${params.faqId}`);
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'faq.updated',
        target: { type: 'faq', id: params.faqId },
      });
      return { status: 200, body: entry };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/faqs/:faqId',
    tag: 'faq',
    summary: 'Remove an FAQ entry',
    roles: roles.admin,
    params: faqParams,
    responses: { 204: { description: 'Removed' } },
    errors: { 404: 'No such entry' },
    async handle({ params, principal }) {
      if (!(await deps.faqs.remove(tenantOf(principal), params.faqId))) {
        throw notFound(`FAQ entry ${params.faqId}`);
      }
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'faq.deleted',
        target: { type: 'faq', id: params.faqId },
      });
      return { status: 204 };
    },
  });
}
