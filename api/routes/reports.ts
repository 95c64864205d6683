import type { Db } from 'mongodb';
import { z } from 'zod';
import { bucketBoundsS, csvLine, daysBetween, type DerivedFigures } from '../../domain/reports';
import { opaqueId } from '../../domain/session';
import {
  byScope,
  conversations,
  summary,
  timeseries,
  type ReportRange,
} from '../../reports/queries';
import type { AgentStore } from '../../stores/agents';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints, Reply } from '../http/endpoint';
import { requireAgent, requireGroups } from '../use-cases/references';

export interface ReportDeps {
  db: Db;
  agents: Pick<AgentStore, 'getAgent' | 'existingGroups'>;
}

const localDate = z.iso.date().meta({ description: 'A local date in the tenant’s time zone' });
/** A year and a day either side of a leap day: what one report covers at most. */
const maxDays = 366;
const maxHourDays = 31;

const rangeQuery = {
  from: localDate.meta({ description: 'First local day of the range (YYYY-MM-DD), inclusive' }),
  to: localDate.meta({ description: 'Last local day of the range (YYYY-MM-DD), inclusive' }),
  groupId: opaqueId.optional().meta({ description: 'Only this group' }),
  agentId: opaqueId.optional().meta({ description: 'Only this agent' }),
  format: z.enum(['json', 'csv']).default('json').meta({ description: 'json (default) or csv' }),
};

const rate = (definition: string) =>
  z.number().min(0).max(1).nullable().meta({ description: definition });
const secondsOrNull = (definition: string) =>
  z.number().nullable().meta({ description: definition });
const bounds = bucketBoundsS.join(', ');

/** The figures, each with its one definition (README.md "Reports" says the same). */
export const figuresView = z
  .object({
    sessions: z
      .number()
      .meta({ description: 'Sessions that ended, counted at the local hour they started' }),
    consultations: z.number().meta({
      description:
        'Sessions that reached a person or asked for one: queued, served by an agent, left a message, or abandoned',
    }),
    robotOnly: z
      .number()
      .meta({ description: 'Sessions the robot alone served (not consultations)' }),
    robotResolutionRate: rate('robotOnly / sessions'),
    tickets: z.number().meta({ description: 'Sessions that ended with a leave-message ticket' }),
    handled: z.number().meta({
      description:
        'Sessions an agent served (per agent: sessions that agent accepted, transfers included)',
    }),
    shopperMessages: z.number().meta({
      description:
        'Shopper messages to a person (after the handover, plus the request just before it), counted at the local hour they were sent',
    }),
    replyRate24h: rate(
      '24 h reply rate: of the shopper messages to a person, the share a person replied to within 24 h (stored message times; a session’s messages are counted when it ends, when every reply window is known)',
    ),
    firstResponseWithinSlaRate: rate(
      'Served sessions whose first response came within the flow’s first-response SLA (the session workflow’s judgement) / handled',
    ),
    firstResponseMeanS: secondsOrNull(
      'First response: from the first shopper message to a person to a person’s first reply after it, both stored message times; mean in seconds',
    ),
    firstResponseP50S: secondsOrNull(
      `First response median, from fixed buckets (upper bounds ${bounds} s)`,
    ),
    firstResponseP90S: secondsOrNull(`First response 90th percentile, from the same buckets`),
    responseMeanS: secondsOrNull(
      'Average response time: from the first message of every shopper turn to a person’s reply, mean in seconds',
    ),
    responseP90S: secondsOrNull('Response time 90th percentile, from the same buckets'),
    ratings: z.number().meta({ description: 'Ratings given, counted at the local hour given' }),
    satisfactionRate: rate('Satisfaction rate: ratings of 4 or 5 / ratings given'),
    ratingParticipation: rate('Ratings given / sessions an agent served (each is invited to rate)'),
    meanScore: z.number().nullable().meta({ description: 'Mean score of the ratings given (1–5)' }),
    scoreDistribution: z
      .record(z.string(), z.number())
      .meta({ description: 'Ratings by score, "1"…"5"' }),
    queued: z
      .number()
      .meta({ description: 'Waits in a group’s queue (a session overflowing waits twice)' }),
    queueWaitMeanS: secondsOrNull(
      'Queue wait: from joining the queue to an agent’s assignment (both stamped by the session workflow), of waits that ended with an agent; mean in seconds',
    ),
    queueWaitP90S: secondsOrNull('Queue wait 90th percentile, from the same buckets'),
    abandoned: z
      .number()
      .meta({ description: 'Sessions that left the queue before an agent took them' }),
    abandonmentRate: rate('abandoned / queued'),
    overflowed: z
      .number()
      .meta({ description: 'Waits moved on to another (overflow) group without an agent' }),
    transfers: z
      .number()
      .meta({ description: 'Transfers away from an agent (per agent: away from that agent)' }),
    silentAgent: z.number().meta({
      description:
        "Times an agent left the shopper unanswered past the flow's silentAgent deadline (per agent: that agent's), at the deadline's local hour",
    }),
    closeReasons: z
      .record(z.string(), z.number())
      .meta({ description: 'Ended sessions by close reason' }),
    onlineS: z.number().meta({
      description:
        'Agent seconds online (status online), counted in the local hours they fell in once the status ended (a status still current counts at its change)',
    }),
    awayS: z.number().meta({ description: 'Agent seconds away, counted as onlineS' }),
    busyS: z.number().meta({
      description:
        'Agent seconds online while holding at least one session (from the assignment to the transfer away or the close, workflow clock; counted once the session ended)',
    }),
    occupancy: rate(
      'Occupancy: busyS / onlineS, the share of online time with at least one session',
    ),
    meanLoad: z.number().nullable().meta({
      description:
        'Concurrent load: sessions held while online, on average (session seconds held while online / onlineS; per hour in the time series)',
    }),
  })
  .meta({ id: 'ReportFigures' });

const summaryView = z.object({
  timeZone: z.string().meta({
    description: 'The tenant’s report time zone (its tenant-wide working hours’, else UTC)',
  }),
  from: z.string(),
  to: z.string(),
  figures: figuresView,
  previous: z
    .object({ from: z.string(), to: z.string(), figures: figuresView })
    .meta({ description: 'The range of the same length just before, for comparison' }),
});
const rowsView = (key: 'agentId' | 'groupId') =>
  z.object({
    from: z.string(),
    to: z.string(),
    items: z.array(z.object({ [key]: z.string(), figures: figuresView })),
  });
const timeseriesView = z.object({
  timeZone: z.string(),
  granularity: z.enum(['day', 'hour']),
  points: z.array(
    z.object({
      start: z.string().meta({ description: 'The bucket’s first instant (UTC)' }),
      label: z.string().meta({
        description: 'Local day, or local hour YYYY-MM-DDTHH:00 (a DST repeat hour appears twice)',
      }),
      figures: figuresView,
    }),
  ),
});

/** Flat CSV columns of the figures (the distribution and close reasons as columns of their own). */
const scalarKeys = Object.keys(figuresView.shape).filter(
  (k): k is Exclude<keyof DerivedFigures, 'scoreDistribution' | 'closeReasons'> =>
    k !== 'scoreDistribution' && k !== 'closeReasons',
);
const figureColumns = [...scalarKeys, 'score1', 'score2', 'score3', 'score4', 'score5'];
const figureCells = (f: DerivedFigures) => [
  ...scalarKeys.map((k) => f[k]),
  ...['1', '2', '3', '4', '5'].map((s) => f.scoreDistribution[s] ?? 0),
];

async function* csv(
  header: string[],
  rows: AsyncIterable<(string | number | null)[]> | (string | number | null)[][],
) {
  yield csvLine(header);
  for await (const row of rows) yield csvLine(row);
}

const csvReply = (name: string, chunks: AsyncIterable<string>): Reply => ({
  status: 200,
  stream: { contentType: 'text/csv; charset=utf-8', filename: name, chunks },
});

/**
 * `/api/v1/reports/…`: the assessment figures (24 h reply rate, satisfaction,
 * first response, waits, abandonment…) per tenant, group and agent, per day
 * or local hour, over any range of local days, from the rollups (reports/).
 * Every id a request names must be the caller's tenant's.
 */
export function reportRoutes(api: ReturnType<typeof endpoints>, deps: ReportDeps) {
  const roles = ['supervisor', 'admin', 'integration'] as const;

  const checked = async (tenantId: string, q: ReportRange, hours = false): Promise<ReportRange> => {
    if (q.from > q.to) {
      throw new AppError(400, 'invalid_request', 'from is after to', {
        fields: [{ path: 'to', message: 'must not be before from' }],
      });
    }
    const days = daysBetween(q.from, q.to).length;
    const limit = hours ? maxHourDays : maxDays;
    if (days > limit) {
      throw new AppError(400, 'invalid_request', `a range of at most ${limit} days`, {
        fields: [
          { path: 'to', message: `at most ${limit} days after from${hours ? ' by hour' : ''}` },
        ],
      });
    }
    if (q.groupId)
      await requireGroups(deps.agents, tenantId, [{ path: 'groupId', groupId: q.groupId }]);
    if (q.agentId) await requireAgent(deps.agents, tenantId, 'agentId', q.agentId);
    return q;
  };

  api.add({
    method: 'get',
    path: '/api/v1/reports/summary',
    tag: 'reports',
    summary: 'Headline figures of a range, with the previous range of the same length beside them',
    roles,
    query: z.strictObject(rangeQuery),
    responses: {
      200: {
        description: 'The figures (format=csv: a CSV of the two periods)',
        schema: summaryView,
      },
    },
    async handle({ query, principal }) {
      const tenantId = tenantOf(principal);
      const { format, ...q } = query;
      const body = await summary(deps.db, tenantId, await checked(tenantId, q));
      if (format === 'csv') {
        return csvReply(
          'summary.csv',
          csv(
            ['period', 'from', 'to', ...figureColumns],
            [
              ['current', body.from, body.to, ...figureCells(body.figures)],
              [
                'previous',
                body.previous.from,
                body.previous.to,
                ...figureCells(body.previous.figures),
              ],
            ],
          ),
        );
      }
      return { status: 200, body };
    },
  });

  for (const [scope, key] of [
    ['agents', 'agentId'],
    ['groups', 'groupId'],
  ] as const) {
    api.add({
      method: 'get',
      path: `/api/v1/reports/${scope}`,
      tag: 'reports',
      summary: `Figures per ${scope === 'agents' ? 'agent' : 'group'} over a range (one row each)`,
      roles,
      query: z.strictObject(rangeQuery),
      responses: {
        200: { description: 'One row each (format=csv: one CSV line each)', schema: rowsView(key) },
      },
      async handle({ query, principal }) {
        const tenantId = tenantOf(principal);
        const { format, ...q } = query;
        const range = await checked(tenantId, q);
        const rows = await byScope(
          deps.db,
          tenantId,
          range,
          scope === 'agents' ? 'agent' : 'group',
        );
        if (format === 'csv') {
          return csvReply(
            `${scope}.csv`,
            csv(
              [key, ...figureColumns],
              rows.map((r) => [r.id, ...figureCells(r.figures)]),
            ),
          );
        }
        return {
          status: 200,
          body: {
            from: q.from,
            to: q.to,
            items: rows.map((r) => ({ [key]: r.id, figures: r.figures })),
          },
        };
      },
    });
  }

  api.add({
    method: 'get',
    path: '/api/v1/reports/timeseries',
    tag: 'reports',
    summary: 'Figures per local day or hour of a range: a chart per figure',
    description: `By hour, a range of at most ${maxHourDays} days; a DST day has 23 or 25 hours.`,
    roles,
    query: z.strictObject({
      ...rangeQuery,
      granularity: z
        .enum(['day', 'hour'])
        .default('day')
        .meta({ description: 'day (default) or hour' }),
    }),
    responses: {
      200: {
        description: 'One point per bucket (format=csv: one CSV line each)',
        schema: timeseriesView,
      },
    },
    async handle({ query, principal }) {
      const tenantId = tenantOf(principal);
      const { format, granularity, ...q } = query;
      const range = await checked(tenantId, q, granularity === 'hour');
      const body = await timeseries(deps.db, tenantId, range, granularity);
      if (format === 'csv') {
        return csvReply(
          'timeseries.csv',
          csv(
            ['start', 'label', ...figureColumns],
            body.points.map((p) => [p.start, p.label, ...figureCells(p.figures)]),
          ),
        );
      }
      return { status: 200, body: { ...body, granularity } };
    },
  });

  const conversationColumns = [
    'sessionId',
    'startedAt',
    'closedAt',
    'channel',
    'groupId',
    'agentId',
    'firstResponseS',
    'queueWaitS',
    'messages',
    'shopperMessages',
    'transfers',
    'rating',
    'closeReason',
  ] as const;

  api.add({
    method: 'get',
    path: '/api/v1/reports/conversations.csv',
    tag: 'reports',
    summary: 'One CSV row per ended conversation that started in the range, streamed',
    description:
      'Columns: ' +
      conversationColumns.join(', ') +
      '. First response and queue wait as defined in ReportFigures, in seconds.',
    roles,
    query: z.strictObject({
      from: rangeQuery.from,
      to: rangeQuery.to,
      groupId: rangeQuery.groupId,
      agentId: rangeQuery.agentId,
    }),
    responses: { 200: { description: 'CSV', schema: z.string(), mediaType: 'text/csv' } },
    async handle({ query, principal }) {
      const tenantId = tenantOf(principal);
      const range = await checked(tenantId, query);
      async function* rows() {
        for await (const r of conversations(deps.db, tenantId, range)) {
          yield conversationColumns.map((c) => r[c]);
        }
      }
      return csvReply('conversations.csv', csv([...conversationColumns], rows()));
    },
  });
}
