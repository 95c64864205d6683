import { z } from 'zod';
import { roles } from '../../domain/access';
import { agentStatuses } from '../../domain/agents';
import { opaqueId } from '../../domain/session';
import { staffRoles } from '../../domain/staff-roles';
import { hashPassword } from '../../runtime/secrets';
import type { AgentStore } from '../../stores/agents';
import type { StaffStore } from '../../stores/staff';
import type { RoutingService } from '../../routing/service';
import { fieldsOf, type AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { routingInput } from '../http/routing-input';
import { agentView, toAgentView } from '../views';

export interface AgentDeps {
  agents: AgentStore;
  staff: StaffStore;
  routing: RoutingService;
  /** An agent's presence or capacity changed: supervisors' monitors re-read the live figures. */
  /** Agents changed; those named changed status (their consoles are told). */
  onAgentChanged?: (tenantId: string, agentIds?: readonly string[]) => void;
  audit: AuditTrail;
}

export const putAgentSchema = z.strictObject({
  name: z.string().trim().min(1).max(80).optional(),
  role: z.enum(staffRoles).default('agent'),
  capacity: z.number().int().min(0).max(50),
  groups: z.array(opaqueId).min(1).max(20),
  /** Set by an admin; the agent logs in with it. Omitted keeps the current one. */
  password: z.string().min(10).max(200).optional(),
});

const agentParams = z.strictObject({ agentId: opaqueId });

/**
 * `/api/v1/agents`: agents' capacity, groups, role and presence, through the
 * routing service. An account's lifecycle (deactivate, activate, delete,
 * revoke tokens) is in agent-accounts.ts.
 */
export function agentRoutes(api: ReturnType<typeof endpoints>, deps: AgentDeps) {
  async function agentOf(tenantId: string, agentId: string) {
    const [routing, staff] = await Promise.all([
      deps.agents.getAgent(tenantId, agentId),
      deps.staff.get(tenantId, agentId),
    ]);
    if (!routing || routing.tenantId !== tenantId) return undefined;
    return toAgentView(routing, staff);
  }
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
      // Every console of the agent shows it, the other tabs of one that set its own too.
      deps.onAgentChanged?.(tenantId, [params.agentId]);
      return { status: 200, body: await agentOf(tenantId, params.agentId) };
    },
  });
}
