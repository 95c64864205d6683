import { z } from 'zod';
import { roles } from '../../domain/access';
import { flowSchema } from '../../domain/flow';
import { mergePatch } from '../../domain/merge-patch';
import type { AgentStore } from '../../stores/agents';
import type { FlowStore } from '../../stores/flows';
import { fieldsOf, type AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError, validate } from '../errors';
import type { endpoints } from '../http/endpoint';
import { decimalInteger } from '../http/schemas';
import {
  flowGroupRefs,
  invalidReference,
  missingGroups,
  requireGroups,
} from '../use-cases/references';
import { flowVersionInfo, flowVersionView } from '../views';

export interface FlowDeps {
  flows: FlowStore;
  /** A flow names agent groups, which must exist. */
  agents: Pick<AgentStore, 'existingGroups'>;
  audit: AuditTrail;
}

const note = z.string().trim().min(1).max(200).optional();
const notFound = (what: string) => new AppError(404, 'not_found', `No ${what}`);

/** `/api/v1/flow`: the tenant's flow, versioned; running sessions keep the version they started with. */
export function flowRoutes(api: ReturnType<typeof endpoints>, deps: FlowDeps) {
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
      200: { description: 'Versions', schema: z.object({ items: z.array(flowVersionInfo) }) },
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
}
