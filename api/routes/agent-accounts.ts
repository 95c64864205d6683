import { z } from 'zod';
import { roles, type Principal } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { AgentStore } from '../../stores/agents';
import type { StaffStore } from '../../stores/staff';
import type { TicketStore } from '../../stores/tickets';
import type { AccessRevocation } from '../auth/access-revocation';
import { tenantOf } from '../auth/authenticate';
import type { AuditTrail } from '../audit-trail';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { referrerCap, stillReferenced } from '../use-cases/references';
import { closeStaffAccount, type CloseStaffAccountDeps } from '../use-cases/close-staff-account';
import { isoTime } from '../http/schemas';
import { closedAccountView } from '../views';

export interface AgentAccountDeps extends CloseStaffAccountDeps {
  staff: CloseStaffAccountDeps['staff'] & Pick<StaffStore, 'get' | 'revokeTokens'>;
  agents: CloseStaffAccountDeps['agents'] & Pick<AgentStore, 'getAgent'>;
  tickets: Pick<TicketStore, 'list'>;
  revocation: AccessRevocation;
  audit: AuditTrail;
}

const agentParams = z.strictObject({ agentId: opaqueId });

/**
 * `/api/v1/agents/:agentId` as an account, its lifecycle (admins): deactivate
 * and reactivate, delete, revoke every token. Delete sits here beside
 * deactivate because both close the account the same way (closeAccount).
 * Presence, capacity and groups are in agents.ts; logout in auth.ts.
 */
export function agentAccountRoutes(api: ReturnType<typeof endpoints>, deps: AgentAccountDeps) {
  /** The account, or 404: routing knows it, or its staff record exists and is not deleted. */
  async function accountOf(tenantId: string, agentId: string) {
    const [routing, staff] = await Promise.all([
      deps.agents.getAgent(tenantId, agentId),
      deps.staff.get(tenantId, agentId),
    ]);
    const inRouting = routing?.tenantId === tenantId ? routing : undefined;
    if (!inRouting && (!staff || staff.deletedAt)) {
      throw new AppError(404, 'not_found', `No agent ${agentId}`);
    }
    return { agentId, groups: inRouting?.groups, staff };
  }

  /** Deactivate and delete alike: access ends, held sessions go back, and the log says so. */
  async function closeAccount(
    principal: Principal | undefined,
    tenantId: string,
    account: Awaited<ReturnType<typeof accountOf>>,
    how: 'deactivated' | 'deleted',
  ) {
    const handed = await closeStaffAccount(deps, tenantId, account, how);
    await deps.audit.record(principal, tenantId, {
      action: `agent.${how}`,
      target: { type: 'agent', id: account.agentId },
      summary: { requeued: handed.requeued.length, closed: handed.closed.length },
    });
    return {
      status: 200,
      body: {
        agentId: account.agentId,
        active: false,
        sessions: { requeued: handed.requeued, closed: handed.closed },
      },
    };
  }

  api.add({
    method: 'post',
    path: '/api/v1/agents/:agentId/deactivate',
    tag: 'staff accounts',
    summary:
      'Deactivate an agent or supervisor: tokens and sockets stop at once on every node, login is refused, presence goes offline, held sessions go back to their group’s queue',
    roles: roles.admin,
    params: agentParams,
    responses: { 200: { description: 'Deactivated', schema: closedAccountView } },
    errors: { 404: 'No such agent' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      const account = await accountOf(tenantId, params.agentId);
      return closeAccount(principal, tenantId, account, 'deactivated');
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/agents/:agentId/activate',
    tag: 'staff accounts',
    summary:
      'Reactivate a deactivated account: it may log in again (tokens from before stay revoked)',
    roles: roles.admin,
    params: agentParams,
    responses: {
      200: {
        description: 'Active',
        schema: z.object({ agentId: z.string(), active: z.boolean() }),
      },
    },
    errors: { 404: 'No such agent' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await accountOf(tenantId, params.agentId);
      await deps.staff.setActive(tenantId, params.agentId, true);
      await deps.audit.record(principal, tenantId, {
        action: 'agent.activated',
        target: { type: 'agent', id: params.agentId },
      });
      return { status: 200, body: { agentId: params.agentId, active: true } };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/agents/:agentId',
    tag: 'staff accounts',
    summary:
      'Delete an agent or supervisor: access ends as with deactivate, held sessions go back to their queue, personal quick replies go, and the agent leaves routing',
    roles: roles.admin,
    params: agentParams,
    responses: { 200: { description: 'Deleted', schema: closedAccountView } },
    errors: {
      404: 'No such agent',
      409: 'Open tickets are assigned to the agent (`still_referenced`, `referrers` names the tickets: reassign or resolve them first), or sessions are still on their way to it (`agent_busy`: call again)',
    },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      const account = await accountOf(tenantId, params.agentId);
      const tickets = await deps.tickets.list(
        tenantId,
        { status: 'assigned', assigneeId: params.agentId },
        referrerCap + 1,
      );
      if (tickets.length > 0) {
        throw stillReferenced(`Agent ${params.agentId}`, [
          {
            kind: 'ticket',
            ids: tickets.slice(0, referrerCap).map((t) => t._id),
            ...(tickets.length > referrerCap ? { more: true as const } : {}),
          },
        ]);
      }
      return closeAccount(principal, tenantId, account, 'deleted');
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/agents/:agentId/revoke-tokens',
    tag: 'staff accounts',
    summary:
      'Revoke every token of an agent or supervisor (a lost device, a leaked token): its sockets are disconnected on every node; it may log in again',
    roles: roles.admin,
    params: agentParams,
    responses: {
      200: {
        description: 'Revoked',
        schema: z.object({ agentId: z.string(), revokedAt: isoTime }),
      },
    },
    errors: { 404: 'No such agent' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await accountOf(tenantId, params.agentId);
      const revokedAt = new Date().toISOString();
      await deps.staff.revokeTokens(tenantId, params.agentId);
      await deps.revocation.account(tenantId, params.agentId, 'tokens_revoked');
      await deps.audit.record(principal, tenantId, {
        action: 'agent.tokens_revoked',
        target: { type: 'agent', id: params.agentId },
      });
      return { status: 200, body: { agentId: params.agentId, revokedAt } };
    },
  });
}
