import { z } from 'zod';
import { roles } from '../../domain/access';
import { faqEntrySchema } from '../../domain/faq';
import { flowSchema } from '../../domain/flow';
import { opaqueId } from '../../domain/session';
import { workingHoursSchema } from '../../domain/working-hours';
import type { AgentStore } from '../../stores/agents';
import type { FaqStore } from '../../stores/faqs';
import type { FlowStore } from '../../stores/flows';
import { anyGroup, type HoursStore } from '../../stores/hours';
import { tenantOf } from '../auth/authenticate';
import { fieldsOf, type AuditTrail } from '../audit-trail';
import { mergePatch } from '../../domain/merge-patch';
import { AppError, validate } from '../errors';
import type { endpoints } from '../http/endpoint';
import { decimalInteger, isoTime } from '../http/schemas';
import { checkFaqImport, faqImportSchema } from '../use-cases/import-faq';
import {
  flowGroupRefs,
  invalidReference,
  missingGroups,
  requireGroups,
} from '../use-cases/references';

export interface ConfigDeps {
  flows: FlowStore;
  hours: HoursStore;
  faqs: FaqStore;
  /** Flows and schedules name agent groups, which must exist. */
  agents: Pick<AgentStore, 'existingGroups'>;
  audit: AuditTrail;
}

const versionInfo = z.object({
  version: z.number().int(),
  createdAt: isoTime,
  note: z.string().optional(),
  rolledBackFrom: z.number().int().optional(),
});
export const flowVersionView = versionInfo.extend({ flow: flowSchema });
const note = z.string().trim().min(1).max(200).optional();

/** Group `*` is the tenant's default schedule; otherwise an opaque group id. */
const hoursGroup = z.union([z.literal(anyGroup), opaqueId]);
const hoursKind = z.enum(['reception']);
export const hoursView = z.object({
  groupId: z.string(),
  kind: hoursKind,
  schedule: workingHoursSchema,
});
const hoursParams = z.strictObject({ groupId: hoursGroup, kind: hoursKind });

export const faqView = faqEntrySchema.extend({ id: z.string() });
const faqParams = z.strictObject({ faqId: z.string().uuid() });
export const importReport = z.object({
  imported: z.number().int(),
  items: z.array(faqView),
  rows: z.array(z.object({ row: z.number(), path: z.string(), message: z.string() })),
});

const notFound = (what: string) => new AppError(404, 'not_found', `No ${what}`);

/** Flows (versioned), working hours and FAQ. */
export function configRoutes(api: ReturnType<typeof endpoints>, deps: ConfigDeps) {
  async function currentFlow(tenantId: string) {
    const current = await deps.flows.current(tenantId);
    if (!current) throw notFound('flow for this tenant');
    return current;
  }

  api.add({
    method: 'get',
    path: '/api/v1/flow',
    tag: 'flow',
    summary: 'The current flow (newest version), every field with its default filled in',
    roles: roles.staff,
    responses: { 200: { description: 'Current version', schema: flowVersionView } },
    async handle({ principal }) {
      return { status: 200, body: await currentFlow(tenantOf(principal)) };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/flow',
    tag: 'flow',
    summary: 'Change the flow: stores a new version; running sessions keep theirs',
    roles: roles.admin,
    body: z.strictObject({ flow: flowSchema, note }),
    responses: { 201: { description: 'The new version', schema: flowVersionView } },
    errors: { 422: 'A routing rule or the default names a group the tenant does not have' },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      await requireGroups(deps.agents, tenantId, flowGroupRefs(body.flow));
      const version = await deps.flows.append(tenantId, body.flow, {
        ...(body.note !== undefined ? { note: body.note } : {}),
      });
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'flow.updated',
        target: { type: 'flow', id: 'flow' },
        summary: { version: version.version, via: 'put' },
      });
      return { status: 201, body: version };
    },
  });

  api.add({
    method: 'patch',
    path: '/api/v1/flow',
    tag: 'flow',
    summary:
      'Change part of the flow (JSON merge patch, RFC 7386: objects merge, null removes a key, arrays replace): stores a new version',
    roles: roles.admin,
    body: z.strictObject({
      flow: z.record(z.string(), z.unknown()).meta({
        description: 'Merged into the current flow; the result is validated as a whole flow',
      }),
      note,
    }),
    responses: { 201: { description: 'The new version', schema: flowVersionView } },
    errors: { 422: 'The patched flow routes to a group the tenant does not have' },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const current = await currentFlow(tenantId);
      // Validated as the whole body would be, so a bad field is named `flow.…`.
      const { flow: merged } = validate(z.object({ flow: flowSchema }), {
        flow: mergePatch(current.flow, body.flow),
      });
      await requireGroups(deps.agents, tenantId, flowGroupRefs(merged));
      const version = await deps.flows.append(tenantId, merged, {
        ...(body.note !== undefined ? { note: body.note } : {}),
      });
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'flow.updated',
        target: { type: 'flow', id: 'flow' },
        summary: { version: version.version, via: 'patch', fields: fieldsOf(body.flow) },
      });
      return { status: 201, body: version };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/flow/versions',
    tag: 'flow',
    summary: 'Version history, newest first',
    roles: roles.readers,
    responses: {
      200: { description: 'Versions', schema: z.object({ items: z.array(versionInfo) }) },
    },
    async handle({ principal }) {
      return { status: 200, body: { items: await deps.flows.history(tenantOf(principal)) } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/flow/versions/:version',
    tag: 'flow',
    summary: 'One version of the flow',
    roles: roles.staff,
    params: z.strictObject({ version: decimalInteger({ min: 1 }) }),
    responses: { 200: { description: 'The version', schema: flowVersionView } },
    errors: { 404: 'No such version' },
    async handle({ params, principal }) {
      const version = await deps.flows.get(tenantOf(principal), params.version);
      if (!version) throw notFound(`flow version ${params.version}`);
      return { status: 200, body: version };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/flow/rollback',
    tag: 'flow',
    summary: 'Roll back: a new version with the content of an earlier one',
    roles: roles.admin,
    body: z.strictObject({ version: z.number().int().min(1), note }),
    responses: { 201: { description: 'The new version', schema: flowVersionView } },
    errors: {
      404: 'No such version',
      422: 'That version routes to a group the tenant no longer has',
    },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const earlier = await deps.flows.get(tenantId, body.version);
      if (!earlier) throw notFound(`flow version ${body.version}`);
      // The request names the version, so the refusal names it; the message says which group.
      const missing = await missingGroups(deps.agents, tenantId, flowGroupRefs(earlier.flow, ''));
      if (missing.length > 0) {
        throw invalidReference(
          missing.map((m) => ({
            path: 'version',
            message: `version ${body.version} ${m.path} names no group ${m.groupId}`,
          })),
        );
      }
      const version = await deps.flows.append(tenantId, earlier.flow, {
        rolledBackFrom: body.version,
        ...(body.note !== undefined ? { note: body.note } : {}),
      });
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'flow.rolled_back',
        target: { type: 'flow', id: 'flow' },
        summary: { version: version.version, rolledBackFrom: body.version },
      });
      return { status: 201, body: version };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/working-hours',
    tag: 'working hours',
    summary: 'The tenant’s schedules (group `*` is the default)',
    roles: roles.staff,
    responses: {
      200: { description: 'Schedules', schema: z.object({ items: z.array(hoursView) }) },
    },
    async handle({ principal }) {
      const docs = await deps.hours.list(tenantOf(principal));
      const items = docs.map(({ groupId, kind, schedule }) => ({ groupId, kind, schedule }));
      return { status: 200, body: { items } };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/working-hours',
    tag: 'working hours',
    summary: 'Add a schedule; one per (group, kind)',
    roles: roles.admin,
    body: z.strictObject({
      groupId: hoursGroup.default(anyGroup),
      kind: hoursKind.default('reception'),
      schedule: workingHoursSchema,
    }),
    responses: { 201: { description: 'Created', schema: hoursView } },
    errors: {
      409: 'The group already has a schedule of this kind (replace it with PUT)',
      422: 'The group does not exist',
    },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      if (body.groupId !== anyGroup) {
        await requireGroups(deps.agents, tenantId, [{ path: 'groupId', groupId: body.groupId }]);
      }
      const added = await deps.hours.insert(tenantId, body.groupId, body.kind, body.schedule);
      if (!added) {
        throw new AppError(409, 'conflict', `Group ${body.groupId} already has ${body.kind} hours`);
      }
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'hours.created',
        target: { type: 'hours', id: `${body.groupId}/${body.kind}` },
      });
      return { status: 201, body };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/working-hours/:groupId/:kind',
    tag: 'working hours',
    summary: 'One schedule',
    roles: roles.staff,
    params: hoursParams,
    responses: { 200: { description: 'The schedule', schema: hoursView } },
    errors: { 404: 'No such schedule' },
    async handle({ params, principal }) {
      const doc = await deps.hours.get(tenantOf(principal), params.groupId, params.kind);
      if (!doc) throw notFound(`${params.kind} hours for group ${params.groupId}`);
      return {
        status: 200,
        body: { groupId: doc.groupId, kind: doc.kind, schedule: doc.schedule },
      };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/working-hours/:groupId/:kind',
    tag: 'working hours',
    summary: 'Replace an existing schedule',
    roles: roles.admin,
    params: hoursParams,
    body: z.strictObject({ schedule: workingHoursSchema }),
    responses: { 200: { description: 'Replaced', schema: hoursView } },
    errors: { 404: 'No such schedule' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      if (!(await deps.hours.replace(tenantId, params.groupId, params.kind, body.schedule))) {
        throw notFound(`${params.kind} hours for group ${params.groupId}`);
      }
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'hours.updated',
        target: { type: 'hours', id: `${params.groupId}/${params.kind}` },
      });
      return { status: 200, body: { ...params, schedule: body.schedule } };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/working-hours/:groupId/:kind',
    tag: 'working hours',
    summary: 'Remove a schedule (the group falls back to the default, or is always open)',
    roles: roles.admin,
    params: hoursParams,
    responses: { 204: { description: 'Removed' } },
    errors: { 404: 'No such schedule' },
    async handle({ params, principal }) {
      if (!(await deps.hours.remove(tenantOf(principal), params.groupId, params.kind))) {
        throw notFound(`${params.kind} hours for group ${params.groupId}`);
      }
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'hours.deleted',
        target: { type: 'hours', id: `${params.groupId}/${params.kind}` },
      });
      return { status: 204 };
    },
  });

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
