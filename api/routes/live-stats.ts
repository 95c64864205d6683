import { z } from 'zod';
import { sessionPhases } from '../../domain/session';
import type { AgentStore } from '../../stores/agents';
import type { RoutingService } from '../../routing/service';
import type { SessionStore } from '../../stores/sessions';
import type { StaffStore } from '../../stores/staff';
import { tenantOf } from '../auth/authenticate';
import type { endpoints } from '../http/endpoint';
import { agentLoad, groupQueue, liveStatsView, toAgentLoad, type LiveStats } from '../views';
import { isoTime } from '../http/schemas';

export interface LiveStatsDeps {
  agents: AgentStore;
  staff: StaffStore;
  sessions: SessionStore;
  routing: Pick<RoutingService, 'queueLength' | 'sessionsOf'>;
  now?: () => Date;
}

/** Today's sessions are read in one bounded batch; a busier tenant needs a metrics store. */
const todayLimit = 5_000;

const share = (part: number, whole: number) => (whole === 0 ? undefined : part / whole);
const mean = (values: number[]) =>
  values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;

/**
 * What the supervisor monitor and the console's transfer dialog read: queues
 * and agents' load now (Redis, the routing truth for "now"), and today's
 * service figures from the session projection.
 */
export function liveStatsRoutes(api: ReturnType<typeof endpoints>, deps: LiveStatsDeps) {
  const now = deps.now ?? (() => new Date());

  async function agentsWithLoad(tenantId: string) {
    const list = await deps.agents.listAgents(tenantId);
    return Promise.all(
      list.map(async (a) => {
        const [sessions, staff] = await Promise.all([
          deps.routing.sessionsOf(tenantId, a.agentId),
          deps.staff.get(tenantId, a.agentId),
        ]);
        return toAgentLoad(a, staff, sessions.length);
      }),
    );
  }

  async function groupsWithQueues(tenantId: string, at: number) {
    const [groups, queued] = await Promise.all([
      deps.agents.listGroups(tenantId),
      deps.sessions.inPhases(tenantId, ['queued']),
    ]);
    return Promise.all(
      groups.map(async (g) => {
        const waiting = queued.filter((s) => s.groupId === g.groupId && s.enqueuedAt);
        const oldest = Math.min(...waiting.map((s) => s.enqueuedAt ?? at));
        return {
          groupId: g.groupId,
          queueLength: await deps.routing.queueLength(tenantId, g.groupId),
          longestWaitMs: waiting.length ? Math.max(0, at - oldest) : 0,
        };
      }),
    );
  }

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
        agentsWithLoad(tenantId),
        groupsWithQueues(tenantId, now().getTime()),
      ]);
      return { status: 200, body: { agents, groups } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/stats/live',
    tag: 'sessions',
    summary:
      'Supervisor monitor: queues, agents’ load, sessions by phase, and today’s service figures',
    roles: ['supervisor', 'admin', 'integration'],
    query: z.strictObject({
      from: isoTime
        .optional()
        .meta({ description: 'Start of "today" (ISO time; default: midnight UTC)' }),
    }),
    responses: { 200: { description: 'The figures', schema: liveStatsView } },
    async handle({ query, principal }) {
      const tenantId = tenantOf(principal);
      const at = now();
      const from = query.from ? new Date(query.from) : new Date(at.toISOString().slice(0, 10));
      const [agents, groups, open, today] = await Promise.all([
        agentsWithLoad(tenantId),
        groupsWithQueues(tenantId, at.getTime()),
        deps.sessions.openOfTenant(tenantId, todayLimit),
        deps.sessions.search(tenantId, { from }, todayLimit),
      ]);
      const phases = Object.fromEntries(sessionPhases.map((p) => [p, 0])) as Record<
        (typeof sessionPhases)[number],
        number
      >;
      for (const s of open) phases[s.phase]++;
      for (const s of today) if (s.phase === 'closed' || s.phase === 'rated') phases[s.phase]++;
      const assigned = today.filter((s) => s.assignedAt);
      const answered = assigned.filter((s) => s.firstResponseAt);
      const scores = today.flatMap((s) => (s.rating ? [s.rating.score] : []));
      const body: LiveStats = {
        at: at.toISOString(),
        groups,
        agents,
        phases,
        today: {
          from: from.toISOString(),
          sessions: today.length,
          firstResponseMs: mean(
            answered.map(
              (s) => (s.firstResponseAt?.getTime() ?? 0) - (s.assignedAt?.getTime() ?? 0),
            ),
          ),
          replyRate: share(answered.length, assigned.length),
          satisfaction: share(scores.filter((n) => n >= 4).length, scores.length),
          ratings: scores.length,
          meanScore: mean(scores),
        },
      };
      return { status: 200, body };
    },
  });
}
