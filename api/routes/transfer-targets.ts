import { z } from 'zod';
import { tenantOf } from '../auth/authenticate';
import type { endpoints } from '../http/endpoint';
import { agentsWithLoad, groupsWithQueues, type LiveLoadDeps } from '../use-cases/live-load';
import { agentLoad, groupQueue } from '../views';

export interface TransferTargetDeps extends LiveLoadDeps {
  now?: () => Date;
}

/** `/api/v1/transfer-targets`: what the console's transfer dialog offers, with presence, load and queues now. */
export function transferTargetRoutes(api: ReturnType<typeof endpoints>, deps: TransferTargetDeps) {
  const now = deps.now ?? (() => new Date());

  api.add({
    method: 'get',
    path: '/api/v1/transfer-targets',
    tag: 'routing',
    summary:
      'Agents with their presence and load, and groups with their queue: where a session may go',
    roles: ['agent', 'supervisor', 'admin'],
    responses: {
      200: {
        description: 'Agents and groups',
        schema: z.object({ agents: z.array(agentLoad), groups: z.array(groupQueue) }),
      },
    },
    async handle({ principal }) {
      const tenantId = tenantOf(principal);
      const [agents, groups] = await Promise.all([
        agentsWithLoad(deps, tenantId),
        groupsWithQueues(deps, tenantId, now().getTime()),
      ]);
      return { status: 200, body: { agents, groups } };
    },
  });
}
