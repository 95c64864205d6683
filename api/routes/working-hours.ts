import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import { workingHoursSchema } from '../../domain/working-hours';
import type { AgentStore } from '../../stores/agents';
import { anyGroup, type HoursStore } from '../../stores/hours';
import type { AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { requireGroups } from '../use-cases/references';
import { hoursKind, hoursView } from '../views';

export interface WorkingHoursDeps {
  hours: HoursStore;
  /** A schedule names an agent group, which must exist. */
  agents: Pick<AgentStore, 'existingGroups'>;
  audit: AuditTrail;
}

/** Group `*` is the tenant's default schedule; otherwise an opaque group id. */
const hoursGroup = z.union([z.literal(anyGroup), opaqueId]);
const hoursParams = z.strictObject({ groupId: hoursGroup, kind: hoursKind });
const notFound = (what: string) => new AppError(404, 'not_found', `No ${what}`);

/** `/api/v1/working-hours`: reception schedules, the tenant's default (`*`) and per group. */
export function workingHoursRoutes(api: ReturnType<typeof endpoints>, deps: WorkingHoursDeps) {
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
}
