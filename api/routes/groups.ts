import { z } from 'zod';
import { roles } from '../../domain/access';
import { groupRoutingSchema } from '../../domain/agents';
import { opaqueId } from '../../domain/session';
import type { AgentStore } from '../../stores/agents';
import type { FlowStore } from '../../stores/flows';
import type { HoursStore } from '../../stores/hours';
import type { SessionStore } from '../../stores/sessions';
import type { RoutingService } from '../../routing/service';
import { fieldsOf, type AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { routingInput } from '../http/routing-input';
import {
  groupReferrers,
  invalidReference,
  requireGroups,
  stillReferenced,
} from '../use-cases/references';
import { groupView, toGroupView } from '../views';

export interface GroupDeps {
  agents: AgentStore;
  routing: RoutingService;
  /** What may still refer to a group being removed. */
  flows: Pick<FlowStore, 'current'>;
  hours: Pick<HoursStore, 'ofGroup'>;
  sessions: Pick<SessionStore, 'openInGroup'>;
  audit: AuditTrail;
}

const groupParams = z.strictObject({ groupId: opaqueId });

/** `/api/v1/groups`: agent groups and how they assign; every change goes through the routing service. */
export function groupRoutes(api: ReturnType<typeof endpoints>, deps: GroupDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/groups',
    tag: 'routing',
    summary: 'List the tenant’s agent groups',
    roles: roles.staff,
    responses: { 200: { description: 'Groups', schema: z.object({ items: z.array(groupView) }) } },
    async handle({ principal }) {
      const groups = await deps.agents.listGroups(tenantOf(principal));
      return { status: 200, body: { items: groups.map(toGroupView) } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/groups/:groupId',
    tag: 'routing',
    summary: 'One group',
    roles: roles.staff,
    params: groupParams,
    responses: { 200: { description: 'The group', schema: groupView } },
    errors: { 404: 'No such group' },
    async handle({ params, principal }) {
      const groups = await deps.agents.listGroups(tenantOf(principal));
      const group = groups.find((g) => g.groupId === params.groupId);
      if (!group) throw new AppError(404, 'not_found', `No group ${params.groupId}`);
      return { status: 200, body: toGroupView(group) };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/groups/:groupId',
    tag: 'routing',
    summary: 'Create or change a group: strategy, reservation, overflow group',
    roles: roles.admin,
    params: groupParams,
    body: groupRoutingSchema,
    responses: { 200: { description: 'The group as stored', schema: groupView } },
    errors: { 422: 'The overflow group does not exist or is the group itself' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      if (body.overflowGroupId !== undefined) {
        if (body.overflowGroupId === params.groupId) {
          throw invalidReference([
            { path: 'overflowGroupId', message: 'must name another group, not the group itself' },
          ]);
        }
        await requireGroups(deps.agents, tenantId, [
          { path: 'overflowGroupId', groupId: body.overflowGroupId },
        ]);
      }
      const existed = await deps.routing.groupExists(tenantId, params.groupId);
      await routingInput(() => deps.routing.configureGroup(tenantId, params.groupId, body));
      await deps.audit.record(principal, tenantId, {
        action: existed ? 'group.updated' : 'group.created',
        target: { type: 'group', id: params.groupId },
        summary: { fields: fieldsOf(body) },
      });
      return { status: 200, body: { groupId: params.groupId, ...body } };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/groups/:groupId',
    tag: 'routing',
    summary:
      'Remove a group that nothing refers to: no agents, no group overflowing into it, not in the flow’s routing, no working hours of its own, no open sessions',
    roles: roles.admin,
    params: groupParams,
    responses: { 204: { description: 'Removed' } },
    errors: {
      404: 'No such group',
      409: 'The group is still referred to; `referrers` lists each kind and its ids (at most 20 each)',
    },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      if (!(await deps.routing.groupExists(tenantId, params.groupId))) {
        throw new AppError(404, 'not_found', `No group ${params.groupId}`);
      }
      const referrers = await groupReferrers(deps, tenantId, params.groupId);
      if (referrers.length > 0) throw stillReferenced(`Group ${params.groupId}`, referrers);
      if (!(await deps.routing.removeGroup(tenantId, params.groupId))) {
        throw new AppError(404, 'not_found', `No group ${params.groupId}`);
      }
      await deps.audit.record(principal, tenantId, {
        action: 'group.deleted',
        target: { type: 'group', id: params.groupId },
      });
      return { status: 204 };
    },
  });
}
