import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import type { Principal } from '../../domain/access';
import { opaqueId, sessionWorkflowId } from '../../domain/session';
import {
  leaveMessageRequestSchema,
  rateRequestSchema,
  type Actor,
} from '../../domain/session-commands';
import type { SessionDoc } from '../../stores/collections';
import type { AgentStore } from '../../stores/agents';
import type { SessionStore } from '../../stores/sessions';
import {
  acceptOfferUpdate,
  closeUpdate,
  declineOfferUpdate,
  inviteRatingUpdate,
  leaveMessageUpdate,
  rateUpdate,
  requestHumanUpdate,
  stateQuery,
  transferUpdate,
} from '../../workflows/contract';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { requireAgent, requireGroups } from '../use-cases/references';
import { told } from '../http/session-calls';
import {
  sessionStateFromProjection,
  sessionStateView,
  toSessionStateView,
  type SessionStateView,
} from '../views';

export interface SessionCommandDeps {
  temporal: Client;
  sessions: SessionStore;
  /** Groups and agents of the tenant, to refuse a transfer to one that does not exist. */
  agents: Pick<AgentStore, 'existingGroups' | 'getAgent'>;
}

const sessionParams = z.strictObject({ sessionId: opaqueId });
const transferBody = z
  .strictObject({
    toAgentId: opaqueId.optional(),
    toGroupId: opaqueId.optional(),
    note: z.string().trim().max(500).optional(),
  })
  .refine((r) => (r.toAgentId === undefined) !== (r.toGroupId === undefined), {
    message: 'give exactly one of toAgentId or toGroupId',
    path: ['toAgentId'],
  });

/** The actor a principal acts as in the workflow's commands. */
function actorOf(principal: Principal): Actor {
  switch (principal.role) {
    case 'visitor':
    case 'integration':
      // An integration key acts for the shopper of its tenant (the API channel's backend).
      return { type: 'visitor' };
    case 'agent':
    case 'supervisor':
      return {
        type: 'agent',
        agentId: principal.agentId,
        supervisor: principal.role === 'supervisor',
      };
    default:
      return { type: 'ops' };
  }
}

/**
 * The session workflow's updates over HTTP (DESIGN.md §4: updates because the
 * caller needs an answer or a clear refusal): the shopper asks for a person,
 * leaves a message, rates and closes; agents accept or decline offers,
 * transfer and close. Every route checks that the session is the caller's
 * (a shopper's token names one session; an agent reaches the sessions it
 * holds or is offered; an integration key acts for the shopper of any
 * session of its tenant, which is how the API channel's backend asks for a
 * person, rates and closes) before the workflow's own validators run.
 */
export function sessionCommandRoutes(api: ReturnType<typeof endpoints>, deps: SessionCommandDeps) {
  /**
   * The caller's session, or 404 exactly as if it did not exist. A shopper's
   * token names its session, which is enough: the projection may not be
   * written yet right after opening chat. Staff reach it through the projection.
   */
  async function reachable(principal: Principal | undefined, sessionId: string) {
    const tenantId = tenantOf(principal);
    const doc = await deps.sessions.get(tenantId, sessionId);
    const mine =
      principal?.role === 'visitor'
        ? principal.sessionId === sessionId
        : principal?.role === 'integration' && !doc
          ? // Just opened through the API channel: the open pointer proves it before the projection.
            (await deps.sessions.openVisitor(tenantId, sessionId)) !== undefined
          : Boolean(doc) && (principal?.role !== 'agent' || doc?.agentId === principal.agentId);
    if (!mine || !principal) throw new AppError(404, 'not_found', `No session ${sessionId}`);
    return {
      doc: doc ?? undefined,
      by: actorOf(principal),
      handle: deps.temporal.workflow.getHandle(sessionWorkflowId(tenantId, sessionId)),
    };
  }

  /** A finished workflow no longer answers queries once it is gone: the projection does. */
  async function stateOf(
    doc: SessionDoc | undefined,
    handle: WorkflowHandle,
  ): Promise<SessionStateView> {
    try {
      return toSessionStateView(await handle.query(stateQuery));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError && doc) return sessionStateFromProjection(doc);
      throw error;
    }
  }

  const stateResponse = { 200: { description: 'The session now', schema: sessionStateView } };
  const refusals = {
    404: 'No such session (or not the caller’s)',
    409: 'The session is in a phase that does not take this (`wrong_phase`) or has ended',
    503: 'The session is being taken over by another worker (`session_busy`); retry in a few seconds',
  };

  api.add({
    method: 'get',
    path: '/api/v1/sessions/:sessionId/state',
    tag: 'sessions',
    summary: 'A session’s live state: phase, queue position and wait, offer deadline, rating',
    roles: ['visitor', 'agent', 'supervisor', 'admin', 'integration'],
    params: sessionParams,
    responses: stateResponse,
    errors: { 404: refusals[404] },
    async handle({ params, principal }) {
      const { doc, handle } = await reachable(principal, params.sessionId);
      return { status: 200, body: await stateOf(doc, handle) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/human',
    tag: 'sessions',
    summary:
      'The shopper asks for a person: leaves the robot and queues (or gets the off-hours form)',
    roles: ['visitor', 'integration'],
    params: sessionParams,
    responses: stateResponse,
    errors: refusals,
    async handle({ params, principal }) {
      const { handle } = await reachable(principal, params.sessionId);
      const state = await told((updateId) =>
        handle.executeUpdate(requestHumanUpdate, { args: [], updateId }),
      );
      return { status: 200, body: toSessionStateView(state) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/leave-message',
    tag: 'sessions',
    summary: 'The shopper leaves a message (off hours or queue overflow); it becomes a ticket',
    roles: ['visitor', 'integration'],
    params: sessionParams,
    body: leaveMessageRequestSchema,
    responses: stateResponse,
    errors: refusals,
    async handle({ params, body, principal }) {
      const { handle } = await reachable(principal, params.sessionId);
      const state = await told((updateId) =>
        handle.executeUpdate(leaveMessageUpdate, { args: [body], updateId }),
      );
      return { status: 200, body: toSessionStateView(state) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/rating',
    tag: 'sessions',
    summary:
      'The shopper rates a closed session, or one whose agent invited the rating mid-chat (1–5, optional comment), once',
    roles: ['visitor', 'integration'],
    params: sessionParams,
    body: rateRequestSchema,
    responses: stateResponse,
    errors: refusals,
    async handle({ params, body, principal }) {
      const { handle } = await reachable(principal, params.sessionId);
      const state = await told((updateId) =>
        handle.executeUpdate(rateUpdate, { args: [body], updateId }),
      );
      return { status: 200, body: toSessionStateView(state) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/close',
    tag: 'sessions',
    summary: 'Close the session (the shopper, its agent, a supervisor or an admin)',
    roles: ['visitor', 'agent', 'supervisor', 'admin', 'integration'],
    params: sessionParams,
    responses: stateResponse,
    errors: { ...refusals, 403: 'Only the session’s agent or a supervisor may close it' },
    async handle({ params, principal }) {
      const { handle, by } = await reachable(principal, params.sessionId);
      const state = await told((updateId) =>
        handle.executeUpdate(closeUpdate, { args: [{ by }], updateId }),
      );
      return { status: 200, body: toSessionStateView(state) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/rating-invite',
    tag: 'sessions',
    summary:
      'The session’s agent invites the rating mid-chat: posts the rating card once (a repeat posts nothing); the shopper may rate at once',
    roles: ['agent'],
    params: sessionParams,
    responses: stateResponse,
    errors: { ...refusals, 403: 'Only the agent the session is assigned to may invite' },
    async handle({ params, principal }) {
      const { handle, by } = await reachable(principal, params.sessionId);
      const agentId = by.type === 'agent' ? by.agentId : '';
      const state = await told((updateId) =>
        handle.executeUpdate(inviteRatingUpdate, { args: [{ agentId }], updateId }),
      );
      return { status: 200, body: toSessionStateView(state) };
    },
  });

  for (const [verb, update] of [
    ['accept', acceptOfferUpdate],
    ['decline', declineOfferUpdate],
  ] as const) {
    api.add({
      method: 'post',
      path: `/api/v1/sessions/:sessionId/offer/${verb}`,
      tag: 'sessions',
      summary:
        verb === 'accept'
          ? 'The offered agent accepts a reserved session'
          : 'The offered agent declines; the session goes to the next agent',
      roles: ['agent', 'supervisor'],
      params: sessionParams,
      responses: stateResponse,
      errors: { ...refusals, 403: 'The session is not offered to the caller' },
      async handle({ params, principal }) {
        const { handle, by } = await reachable(principal, params.sessionId);
        const agentId = by.type === 'agent' ? by.agentId : '';
        const state = await told((updateId) =>
          handle.executeUpdate(update, { args: [{ agentId }], updateId }),
        );
        return { status: 200, body: toSessionStateView(state) };
      },
    });
  }

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/transfer',
    tag: 'sessions',
    summary: 'Transfer an assigned session to another agent or to a group, keeping its history',
    roles: ['agent', 'supervisor', 'admin'],
    params: sessionParams,
    body: transferBody,
    responses: stateResponse,
    errors: {
      ...refusals,
      403: 'Only the session’s agent or a supervisor may transfer it',
      422: 'The target agent is not online with free capacity, or the group does not exist',
    },
    async handle({ params, body, principal }) {
      const { handle, by } = await reachable(principal, params.sessionId);
      await transferTargetExists(deps.agents, tenantOf(principal), body);
      const state = await told((updateId) =>
        handle.executeUpdate(transferUpdate, { args: [{ ...body, by }], updateId }),
      );
      return { status: 200, body: toSessionStateView(state) };
    },
  });
}

/**
 * A transfer names a group or an agent of the caller's tenant (422 naming
 * the field otherwise). The routing service checks the group again when the
 * workflow moves the seat, for a group removed in between.
 */
async function transferTargetExists(
  agents: SessionCommandDeps['agents'],
  tenantId: string,
  target: { toAgentId?: string | undefined; toGroupId?: string | undefined },
): Promise<void> {
  if (target.toGroupId !== undefined) {
    await requireGroups(agents, tenantId, [{ path: 'toGroupId', groupId: target.toGroupId }]);
  }
  if (target.toAgentId !== undefined) {
    await requireAgent(agents, tenantId, 'toAgentId', target.toAgentId);
  }
}
