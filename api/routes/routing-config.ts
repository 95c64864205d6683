import { z } from 'zod';
import { roles } from '../../domain/access';
import { agentStatuses, assignmentStrategies, groupRoutingSchema } from '../../domain/agents';
import { opaqueId } from '../../domain/session';
import { hashPassword } from '../../runtime/secrets';
import { staffRoles } from '../../domain/staff-roles';
import type { AgentStore } from '../../stores/agents';
import type { GroupDoc } from '../../stores/collections';
import type { FlowStore } from '../../stores/flows';
import type { HoursStore } from '../../stores/hours';
import type { SessionStore } from '../../stores/sessions';
import { RoutingInputError } from '../../routing/decide';
import type { RoutingService } from '../../routing/service';
import type { StaffStore } from '../../stores/staff';
import { fieldsOf, type AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import {
  groupReferrers,
  invalidReference,
  requireGroups,
  stillReferenced,
} from '../use-cases/references';

export interface RoutingConfigDeps {
  agents: AgentStore;
  staff: StaffStore;
  routing: RoutingService;
  /** What may still refer to a group being removed. */
  flows: Pick<FlowStore, 'current'>;
  hours: Pick<HoursStore, 'ofGroup'>;
  sessions: Pick<SessionStore, 'openInGroup'>;
  /** An agent's presence or capacity changed: supervisors' monitors re-read the live figures. */
  onAgentChanged?: (tenantId: string) => void;
  audit: AuditTrail;
}

export const groupView = z.object({
  groupId: z.string(),
  strategy: z.enum(assignmentStrategies),
  reserve: z.boolean(),
  overflowGroupId: z.string().optional(),
});
export const agentView = z.object({
  agentId: z.string(),
  name: z.string().optional(),
  role: z.enum(staffRoles),
  capacity: z.number(),
  groups: z.array(z.string()),
  status: z.enum(agentStatuses),
  hasPassword: z.boolean(),
  /** False while deactivated: no login, no tokens, offline. */
  active: z.boolean(),
});

export const putAgentSchema = z.strictObject({
  name: z.string().trim().min(1).max(80).optional(),
  role: z.enum(staffRoles).default('agent'),
  capacity: z.number().int().min(0).max(50),
  groups: z.array(opaqueId).min(1).max(20),
  /** Set by an admin; the agent logs in with it. Omitted keeps the current one. */
  password: z.string().min(10).max(200).optional(),
});

const groupParams = z.strictObject({ groupId: opaqueId });
const agentParams = z.strictObject({ agentId: opaqueId });

const toGroupView = (g: GroupDoc) => ({
  groupId: g.groupId,
  strategy: g.strategy,
  reserve: g.reserve,
  ...(g.overflowGroupId ? { overflowGroupId: g.overflowGroupId } : {}),
});

/** The routing module refuses bad references (unknown group, self-overflow) before writing. */
async function routingInput<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof RoutingInputError)) throw error;
    throw new AppError(422, 'invalid_reference', error.message, {
      fields: [{ path: error.field.replace(/^(agent|group)\./, ''), message: error.message }],
    });
  }
}

/** Groups, agents and presence: every change goes through the routing service. */
export function routingConfigRoutes(api: ReturnType<typeof endpoints>, deps: RoutingConfigDeps) {
  async function agentOf(tenantId: string, agentId: string) {
    const [routing, staff] = await Promise.all([
      deps.agents.getAgent(tenantId, agentId),
      deps.staff.get(tenantId, agentId),
    ]);
    if (!routing || routing.tenantId !== tenantId) return undefined;
    return {
      agentId,
      ...(staff?.name ? { name: staff.name } : {}),
      role: staff?.role ?? 'agent',
      capacity: routing.capacity,
      groups: routing.groups,
      status: routing.status,
      hasPassword: Boolean(staff?.passwordHash),
      active: staff?.active !== false,
    };
  }

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

  api.add({
    method: 'get',
    path: '/api/v1/agents',
    tag: 'routing',
    summary: 'List agents with capacity, groups, role and presence',
    roles: roles.readers,
    responses: { 200: { description: 'Agents', schema: z.object({ items: z.array(agentView) }) } },
    async handle({ principal }) {
      const tenantId = tenantOf(principal);
      const list = await deps.agents.listAgents(tenantId);
      const items = await Promise.all(list.map((a) => agentOf(tenantId, a.agentId)));
      return { status: 200, body: { items: items.filter((a) => a !== undefined) } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/agents/:agentId',
    tag: 'routing',
    summary: 'One agent (agents may read themselves)',
    roles: roles.staff,
    params: agentParams,
    responses: { 200: { description: 'The agent', schema: agentView } },
    errors: { 404: 'No such agent' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      if (principal?.role === 'agent' && principal.agentId !== params.agentId) {
        throw new AppError(403, 'forbidden', 'An agent may read only themselves');
      }
      const agent = await agentOf(tenantId, params.agentId);
      if (!agent) throw new AppError(404, 'not_found', `No agent ${params.agentId}`);
      return { status: 200, body: agent };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/agents/:agentId',
    tag: 'routing',
    summary: 'Create or change an agent: capacity, groups, role, password',
    roles: roles.admin,
    params: agentParams,
    body: putAgentSchema,
    responses: { 200: { description: 'The agent as stored', schema: agentView } },
    errors: { 422: 'A group does not exist' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      // Hash first: nothing is written if anything before the writes fails.
      const passwordHash =
        body.password === undefined ? undefined : await hashPassword(body.password);
      const existed = await agentOf(tenantId, params.agentId);
      await routingInput(() =>
        deps.routing.configureAgent(tenantId, {
          agentId: params.agentId,
          capacity: body.capacity,
          groups: body.groups,
        }),
      );
      await deps.staff.upsert(tenantId, params.agentId, {
        role: body.role,
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(passwordHash !== undefined ? { passwordHash } : {}),
      });
      deps.onAgentChanged?.(tenantId);
      await deps.audit.record(principal, tenantId, {
        action: existed ? 'agent.updated' : 'agent.created',
        target: { type: 'agent', id: params.agentId },
        // Field names only: the password itself is never recorded.
        summary: { fields: fieldsOf(body), role: body.role },
      });
      return { status: 200, body: await agentOf(tenantId, params.agentId) };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/agents/:agentId/status',
    tag: 'routing',
    summary: 'Set presence: online takes sessions at once, away/offline stops new ones',
    roles: roles.staff.filter((r) => r !== 'integration'),
    params: agentParams,
    body: z.strictObject({ status: z.enum(agentStatuses) }),
    responses: { 200: { description: 'The agent after the change', schema: agentView } },
    errors: {
      404: 'No such agent',
      409: 'The account is deactivated (`account_inactive`): it stays offline until reactivated',
    },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      if (principal?.role === 'agent' && principal.agentId !== params.agentId) {
        throw new AppError(403, 'forbidden', 'An agent may set only their own status');
      }
      const agent = await agentOf(tenantId, params.agentId);
      if (!agent) throw new AppError(404, 'not_found', `No agent ${params.agentId}`);
      if (!agent.active && body.status !== 'offline') {
        throw new AppError(
          409,
          'account_inactive',
          `Agent ${params.agentId} is deactivated; reactivate the account first`,
        );
      }
      await deps.routing.setStatus(tenantId, params.agentId, body.status);
      deps.onAgentChanged?.(tenantId);
      return { status: 200, body: await agentOf(tenantId, params.agentId) };
    },
  });
}
