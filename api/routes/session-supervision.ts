import { z } from 'zod';
import type { Principal } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import { supervisorJoins } from '../../domain/session-access';
import type { PostMessageDeps } from '../../messaging/post-message';
import { joinAsSupervisor } from '../../messaging/supervisor-join';
import { RoutingInputError } from '../../routing/decide';
import type { RoutingService } from '../../routing/service';
import type { AgentStore } from '../../stores/agents';
import type { FlowStore } from '../../stores/flows';
import type { SessionStore } from '../../stores/sessions';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { routingInput } from '../http/routing-input';
import { requireAgent } from '../use-cases/references';
import { chatMessage } from '../views';

export interface SessionSupervisionDeps {
  sessions: Pick<SessionStore, 'get'>;
  agents: Pick<AgentStore, 'getAgent'>;
  routing: Pick<RoutingService, 'assignQueued'>;
  flows: Pick<FlowStore, 'current'>;
  chat: PostMessageDeps;
}

const sessionParams = z.strictObject({ sessionId: opaqueId });

export const assignBody = z.strictObject({
  agentId: opaqueId.meta({
    description: 'The agent (of the caller’s tenant) who takes the session',
  }),
  force: z.boolean().default(false).meta({
    description:
      'Past the status and capacity checks: an agent who is away or already full takes it; never one who is offline or has no console open',
  }),
});

const assignment = z.object({
  sessionId: z.string(),
  agentId: z.string(),
  groupId: z.string(),
  assignedAt: z.string(),
});

/**
 * What a supervisor does to the desk beyond watching it (the monitor's
 * actions; transfer and close are the session commands, which take a
 * supervisor for any session of the tenant): give a waiting session to a
 * chosen agent, and join a chat to write in it. Every id is looked up in the
 * caller's tenant: another tenant's session is not found (404), an unknown
 * agent is a 422 naming `agentId`.
 */
export function sessionSupervisionRoutes(
  api: ReturnType<typeof endpoints>,
  deps: SessionSupervisionDeps,
) {
  async function sessionOf(principal: Principal | undefined, sessionId: string) {
    const tenantId = tenantOf(principal);
    const doc = await deps.sessions.get(tenantId, sessionId);
    if (!doc) throw new AppError(404, 'not_found', `No session ${sessionId}`);
    return { tenantId, doc };
  }

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/assign',
    tag: 'sessions',
    summary:
      'A supervisor gives a queued session to a chosen agent of any group: online with room, or (forced) away or beyond capacity',
    roles: ['supervisor', 'admin'],
    params: sessionParams,
    body: assignBody,
    responses: { 200: { description: 'The decision, told to the session', schema: assignment } },
    errors: {
      404: 'No such session in the caller’s tenant',
      409: 'The session is not waiting in a queue (`wrong_phase`)',
      422: 'No such agent (`agentId`), or it is not online with room (unforced) or offline (forced)',
    },
    async handle({ params, body, principal }) {
      const { tenantId, doc } = await sessionOf(principal, params.sessionId);
      const notQueued = () =>
        new AppError(409, 'wrong_phase', `the session is ${doc.phase}, not queued`, {
          fields: [{ path: 'sessionId', message: 'the session is not waiting in a queue' }],
        });
      if (doc.phase !== 'queued') throw notQueued();
      await requireAgent(deps.agents, tenantId, 'agentId', body.agentId);
      const made = await routingInput(async () => {
        try {
          return await deps.routing.assignQueued(tenantId, {
            sessionId: params.sessionId,
            agentId: body.agentId,
            force: body.force,
          });
        } catch (error) {
          // Taken by the router (or gone) since the projection was read.
          if (error instanceof RoutingInputError && error.field === 'sessionId') throw notQueued();
          throw error;
        }
      });
      return {
        status: 200,
        body: { ...made, assignedAt: new Date(made.assignedAt).toISOString() },
      };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/supervisor-join',
    tag: 'sessions',
    summary:
      'A supervisor joins a live chat: the shopper is told, and the supervisor may write in it (as agents do, over the agent socket)',
    roles: ['supervisor'],
    params: sessionParams,
    responses: {
      200: {
        description: 'The join notice the shopper sees (the same one again on a second join)',
        schema: chatMessage,
      },
    },
    errors: {
      404: 'No such session in the caller’s tenant',
      409: 'The session is not live with a person (`session_closed` once it ended, `wrong_phase` in the robot)',
    },
    async handle({ params, principal }) {
      const { tenantId, doc } = await sessionOf(principal, params.sessionId);
      if (!supervisorJoins.includes(doc.phase)) {
        const ended = ['closed', 'rated', 'leave_message'].includes(doc.phase);
        throw new AppError(
          409,
          ended ? 'session_closed' : 'wrong_phase',
          `the session is ${doc.phase}: a supervisor joins a chat a person serves or will`,
        );
      }
      const supervisorId = principal?.role === 'supervisor' ? principal.agentId : '';
      const message = await joinAsSupervisor(deps.chat, {
        tenantId,
        sessionId: params.sessionId,
        supervisorId,
        flow: (await deps.flows.current(tenantId))?.flow,
      });
      return { status: 200, body: message };
    },
  });
}
