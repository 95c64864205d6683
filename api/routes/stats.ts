import type { Db } from 'mongodb';
import { z } from 'zod';
import { sessionPhases } from '../../domain/session';
import { figuresSince } from '../../reports/queries';
import type { SessionStore } from '../../stores/sessions';
import { tenantOf } from '../auth/authenticate';
import type { endpoints } from '../http/endpoint';
import { isoTime } from '../http/schemas';
import { agentsWithLoad, groupsWithQueues, type LiveLoadDeps } from '../use-cases/live-load';
import { liveStatsView, type LiveStats } from '../views';

export interface StatsDeps extends LiveLoadDeps {
  sessions: LiveLoadDeps['sessions'] & Pick<SessionStore, 'openOfTenant' | 'search'>;
  /** Where the report rollups live (reports/): durations come from there, on one clock. */
  db: Db;
  now?: () => Date;
}

/** Today's sessions are read in one bounded batch; a busier tenant needs a metrics store. */
const todayLimit = 5_000;

const share = (part: number, whole: number) => (whole === 0 ? undefined : part / whole);
const mean = (values: number[]) =>
  values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;

/**
 * `/api/v1/stats/live`: what the supervisor monitor reads: queues and agents'
 * load now (use-cases/live-load.ts), and today's service figures from the
 * session projection.
 */
export function statsRoutes(api: ReturnType<typeof endpoints>, deps: StatsDeps) {
  const now = deps.now ?? (() => new Date());

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
      const [agents, groups, open, today, figures] = await Promise.all([
        agentsWithLoad(deps, tenantId),
        groupsWithQueues(deps, tenantId, at.getTime()),
        deps.sessions.openOfTenant(tenantId, todayLimit),
        deps.sessions.search(tenantId, { from }, todayLimit),
        figuresSince(deps.db, tenantId, from, at),
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
          // Not firstResponseAt − assignedAt: the first is a gateway's clock (the agent's
          // message), the second the workflow's, and their skew showed as negative times.
          firstResponseMs:
            figures.firstResponseMeanS === null ? undefined : figures.firstResponseMeanS * 1000,
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
