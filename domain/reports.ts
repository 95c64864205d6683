import type { ChatMessage } from './message';
import { formatterFor } from './working-hours';

/**
 * Report figures: their definitions and the pure arithmetic behind them
 * (DESIGN.md §13). Nothing here does I/O; reports/ stores the facts and the
 * rollups and runs the queries.
 *
 * The model:
 *
 * - A **contribution** (`Part`) is what one fact adds to one hour of one
 *   tenant, with the group and agent it is attributed to. Every figure is a
 *   sum of counters (or of fixed-bucket histograms), so parts add up into
 *   hours, hours into days, days into any range, and the derived figures
 *   (rates, means, percentiles) are computed last, from the sums.
 * - Hours and days are the **tenant's local** ones: the start of the local
 *   hour an instant falls in (`localHour`), and its local date. A DST night
 *   has a 23- or 25-hour day; the repeated autumn hour is two hours.
 * - **Durations come from one clock.** Reply and first-response times are
 *   differences of two stored message times, both stamped by the gateways
 *   that appended a person's message, ordered by seq (a reply has the higher
 *   seq, so a negative difference can only be skew between gateway nodes and
 *   counts as 0). Queue waits are differences of two times the session
 *   workflow stamped (queued at, assigned at). No duration mixes the two.
 */

/** Upper bounds (seconds) of the duration histograms' buckets; a last bucket holds everything above. */
export const bucketBoundsS = [
  5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400,
] as const;

/** Durations as sums: count, total, maximum and the bucket counts (length bounds + 1). */
export interface Timing {
  count: number;
  sumMs: number;
  maxMs: number;
  buckets: number[];
}

export const ratingScores = [1, 2, 3, 4, 5] as const;

/** Everything a report adds up: each field a counter (or a Timing), so sums are plain sums. */
export interface Figures {
  /** Sessions that ended, by the hour they started. */
  sessions: number;
  /** Sessions that reached a person or asked for one (queued, served, left a message, abandoned). */
  consultations: number;
  /** Sessions the robot alone served: never queued, never served, no message left. */
  robotOnly: number;
  /** Sessions that ended with a leave-message ticket. */
  tickets: number;
  /** Sessions an agent served (per agent: sessions that agent accepted). */
  handled: number;
  /** Served sessions whose first response came within the flow's first-response SLA. */
  withinSla: number;
  /** Queue waits (one per wait in a group's queue); `queueWait` times those that ended with an agent. */
  queued: number;
  queueWait: Timing;
  /** Sessions that left the queue before an agent took them. */
  abandoned: number;
  /** Waits moved on to another (overflow) group. */
  overflowed: number;
  /** Transfers away from an agent (per agent: away from that agent). */
  transfers: number;
  /** Times an agent left the shopper unanswered past the flow's `silentAgent` deadline (per agent: that agent's). */
  silentAgent: number;
  /** Shopper messages to a person, by the hour they were sent. */
  shopperMessages: number;
  /** Of those, the ones a person replied to within 24 h. */
  replied24h: number;
  /** Time from each shopper turn to a person's reply (every turn, not only the first). */
  response: Timing;
  /** Time from the first shopper message to a person to the first reply. */
  firstResponse: Timing;
  /** Sessions invited to rate (an agent served them). */
  invited: number;
  /** Ratings given, counted by score (index 0 is score 1). */
  ratings: number[];
  /** Ended sessions by close reason. */
  closeReasons: Record<string, number>;
  /** Agent time (ms) by status, counted when the status ends: online, away. */
  onlineMs: number;
  awayMs: number;
  /** Time online holding at least one session (ms): occupancy's numerator. */
  busyMs: number;
  /** Session time held while online, summed over sessions (ms): the load's integral. */
  heldMs: number;
}

export const emptyTiming = (): Timing => ({
  count: 0,
  sumMs: 0,
  maxMs: 0,
  buckets: bucketBoundsS.map(() => 0).concat(0),
});

export const emptyFigures = (): Figures => ({
  sessions: 0,
  consultations: 0,
  robotOnly: 0,
  tickets: 0,
  handled: 0,
  withinSla: 0,
  queued: 0,
  queueWait: emptyTiming(),
  abandoned: 0,
  overflowed: 0,
  transfers: 0,
  silentAgent: 0,
  shopperMessages: 0,
  replied24h: 0,
  response: emptyTiming(),
  firstResponse: emptyTiming(),
  invited: 0,
  ratings: ratingScores.map(() => 0),
  closeReasons: {},
  onlineMs: 0,
  awayMs: 0,
  busyMs: 0,
  heldMs: 0,
});

export function addTiming(into: Timing, ms: number): void {
  const d = Math.max(0, ms);
  into.count++;
  into.sumMs += d;
  into.maxMs = Math.max(into.maxMs, d);
  const i = bucketBoundsS.findIndex((bound) => d <= bound * 1000);
  const at = i === -1 ? bucketBoundsS.length : i;
  into.buckets[at] = (into.buckets[at] ?? 0) + 1;
}

function mergeTiming(into: Timing, from: Timing): void {
  into.count += from.count;
  into.sumMs += from.sumMs;
  into.maxMs = Math.max(into.maxMs, from.maxMs);
  from.buckets.forEach((n, i) => (into.buckets[i] = (into.buckets[i] ?? 0) + n));
}

const counters = [
  'sessions',
  'consultations',
  'robotOnly',
  'tickets',
  'handled',
  'withinSla',
  'queued',
  'abandoned',
  'overflowed',
  'transfers',
  'silentAgent',
  'shopperMessages',
  'replied24h',
  'invited',
  'onlineMs',
  'awayMs',
  'busyMs',
  'heldMs',
] as const;
const timings = ['queueWait', 'response', 'firstResponse'] as const;

/** Adds `from` (possibly partial, as parts store it) into `into`. */
export function mergeFigures(into: Figures, from: Partial<Figures>): Figures {
  for (const key of counters) into[key] += from[key] ?? 0;
  for (const key of timings) {
    const t = from[key];
    if (t) mergeTiming(into[key], t);
  }
  from.ratings?.forEach((n, i) => (into.ratings[i] = (into.ratings[i] ?? 0) + n));
  for (const [reason, n] of Object.entries(from.closeReasons ?? {})) {
    into.closeReasons[reason] = (into.closeReasons[reason] ?? 0) + n;
  }
  return into;
}

/** Figures without their zeros: what a rollup stores (most hours of most agents count little). */
export function compactFigures(f: Figures): Partial<Figures> {
  const out: Partial<Figures> = {};
  for (const key of counters) if (f[key] !== 0) out[key] = f[key];
  for (const key of timings) if (f[key].count !== 0) out[key] = f[key];
  if (f.ratings.some((n) => n !== 0)) out.ratings = f.ratings;
  if (Object.keys(f.closeReasons).length > 0) out.closeReasons = f.closeReasons;
  return out;
}

/** Stored (compact) figures made whole again. */
export const fullFigures = (f: Partial<Figures> | undefined): Figures =>
  mergeFigures(emptyFigures(), f ?? {});

export const sumFigures = (all: Iterable<Partial<Figures>>): Figures => {
  const total = emptyFigures();
  for (const f of all) mergeFigures(total, f);
  return total;
};

/**
 * The p-th percentile (0–1) of a histogram, in ms: the upper bound of the
 * bucket the percentile falls in, never above the largest value seen (so it
 * is exact for the top bucket and at most one bucket high elsewhere).
 */
export function percentileMs(t: Timing, p: number): number | null {
  if (t.count === 0) return null;
  const rank = Math.ceil(p * t.count);
  let seen = 0;
  for (let i = 0; i < t.buckets.length; i++) {
    seen += t.buckets[i] ?? 0;
    if (seen >= rank) {
      const bound = bucketBoundsS[i];
      return bound === undefined ? t.maxMs : Math.min(bound * 1000, t.maxMs);
    }
  }
  return t.maxMs;
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const meanMs = (t: Timing) => (t.count === 0 ? null : t.sumMs / t.count);
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms) / 1000);

/** The figures a report shows, each defined in README.md "Reports" and in the OpenAPI schema. */
export interface DerivedFigures {
  sessions: number;
  consultations: number;
  robotOnly: number;
  /** robotOnly / sessions. */
  robotResolutionRate: number | null;
  tickets: number;
  handled: number;
  shopperMessages: number;
  /** replied24h / shopperMessages. */
  replyRate24h: number | null;
  /** withinSla / handled. */
  firstResponseWithinSlaRate: number | null;
  firstResponseMeanS: number | null;
  firstResponseP50S: number | null;
  firstResponseP90S: number | null;
  responseMeanS: number | null;
  responseP90S: number | null;
  ratings: number;
  /** Ratings 4–5 / ratings. */
  satisfactionRate: number | null;
  /** ratings / invited. */
  ratingParticipation: number | null;
  meanScore: number | null;
  /** Ratings by score: "1" … "5". */
  scoreDistribution: Record<string, number>;
  queued: number;
  queueWaitMeanS: number | null;
  queueWaitP90S: number | null;
  abandoned: number;
  /** abandoned / queued. */
  abandonmentRate: number | null;
  overflowed: number;
  transfers: number;
  silentAgent: number;
  closeReasons: Record<string, number>;
  /** Agent seconds online and away (statuses that ended in the range). */
  onlineS: number;
  awayS: number;
  /** Seconds online holding at least one session. */
  busyS: number;
  /** busyS / onlineS. */
  occupancy: number | null;
  /** Sessions held while online, on average: heldMs / onlineMs. */
  meanLoad: number | null;
}

export function derive(f: Figures): DerivedFigures {
  const ratings = f.ratings.reduce((a, b) => a + b, 0);
  const good = (f.ratings[3] ?? 0) + (f.ratings[4] ?? 0);
  const scoreSum = f.ratings.reduce((a, n, i) => a + n * (i + 1), 0);
  return {
    sessions: f.sessions,
    consultations: f.consultations,
    robotOnly: f.robotOnly,
    robotResolutionRate: share(f.robotOnly, f.sessions),
    tickets: f.tickets,
    handled: f.handled,
    shopperMessages: f.shopperMessages,
    replyRate24h: share(f.replied24h, f.shopperMessages),
    firstResponseWithinSlaRate: share(f.withinSla, f.handled),
    firstResponseMeanS: seconds(meanMs(f.firstResponse)),
    firstResponseP50S: seconds(percentileMs(f.firstResponse, 0.5)),
    firstResponseP90S: seconds(percentileMs(f.firstResponse, 0.9)),
    responseMeanS: seconds(meanMs(f.response)),
    responseP90S: seconds(percentileMs(f.response, 0.9)),
    ratings,
    satisfactionRate: share(good, ratings),
    ratingParticipation: share(ratings, f.invited),
    meanScore: ratings === 0 ? null : scoreSum / ratings,
    scoreDistribution: Object.fromEntries(
      ratingScores.map((s, i) => [String(s), f.ratings[i] ?? 0]),
    ),
    queued: f.queued,
    queueWaitMeanS: seconds(meanMs(f.queueWait)),
    queueWaitP90S: seconds(percentileMs(f.queueWait, 0.9)),
    abandoned: f.abandoned,
    abandonmentRate: share(f.abandoned, f.queued),
    overflowed: f.overflowed,
    transfers: f.transfers,
    silentAgent: f.silentAgent,
    closeReasons: f.closeReasons,
    onlineS: Math.round(f.onlineMs) / 1000,
    awayS: Math.round(f.awayMs) / 1000,
    busyS: Math.round(f.busyMs) / 1000,
    occupancy: share(f.busyMs, f.onlineMs),
    meanLoad: share(f.heldMs, f.onlineMs),
  };
}

// ---------------------------------------------------------------------------
// Local hours and days

/** The local date and time at `instant`, encoded as if it were UTC ("wall ms"). */
function wallAt(timeZone: string, instant: number): number {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

export interface LocalHour {
  /** The instant the local hour began. */
  start: Date;
  /** Its local date, YYYY-MM-DD. */
  day: string;
  /** Its local label, YYYY-MM-DDTHH:00 (a repeated autumn hour has two of the same label). */
  label: string;
}

/** The tenant-local hour `at` falls in. */
export function localHour(at: Date, timeZone: string): LocalHour {
  const instant = at.getTime();
  const wall = wallAt(timeZone, instant);
  const offset = wall - Math.floor(instant / 1000) * 1000;
  const wallHour = Math.floor(wall / hourMs) * hourMs;
  const start = new Date(wallHour - offset);
  const iso = new Date(wallHour).toISOString();
  return { start, day: iso.slice(0, 10), label: iso.slice(0, 13) + ':00' };
}

/** The instant local midnight of `day` (YYYY-MM-DD) began in `timeZone`. */
export function localMidnight(day: string, timeZone: string): Date {
  const wall = Date.parse(`${day}T00:00:00Z`);
  // Two passes settle the offset, also on a DST day.
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - (wallAt(timeZone, guess) - guess);
  return new Date(guess);
}

/** Local dates from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`); d += dayMs) {
    days.push(new Date(d).toISOString().slice(0, 10));
  }
  return days;
}

/** The range of the same length just before [from, to]: what a page shows beside it. */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const length = daysBetween(from, to).length;
  const start = Date.parse(`${from}T00:00:00Z`);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(start - length * dayMs), to: day(start - dayMs) };
}

// ---------------------------------------------------------------------------
// A session's contributions

/** What one fact adds to one local hour, for a group and an agent. */
export interface Part {
  day: string;
  hour: Date;
  groupId?: string;
  agentId?: string;
  /** Counts for the agent only (a session one agent passed on is handled by both, but is one session). */
  agentOnly?: true;
  figures: Partial<Figures>;
  /**
   * The agent's time within this hour (status or a session held), for the
   * refresh to measure together with the agent's other spans of the hour
   * (`agentTime`): occupancy is an overlap, not a sum.
   */
  spans?: Span[];
}

/** A stretch of an agent's time: a status it was in, or a session it held. */
export interface Span {
  kind: 'online' | 'away' | 'held';
  from: Date;
  to: Date;
}

/** The session as the report reads it once it has ended. */
export interface EndedSession {
  sessionId: string;
  channel: string;
  startedAt: Date;
  groupId?: string;
  agentId?: string;
  closedAt?: Date;
  closeReason?: string;
  abandoned?: boolean;
  slaBreached: boolean;
  transfers: { at: Date; fromAgentId: string }[];
  /** Each time the flow's `silentAgent` deadline passed with the agent silent (workflow clock). */
  silences: { at: Date; agentId: string }[];
  /** Each wait in a queue, in order: its group, its arrival and its assignment (workflow clock). */
  waits: { groupId: string; enqueuedAt: Date; assignedAt?: Date; agentId?: string }[];
  /** Agents who took the session, in order. */
  agents: string[];
  /** Whether the session was offered a rating card. */
  invited: boolean;
  /** Each agent's hold of the session: from its assignment to its transfer away, the next assignment or the close. */
  holds: { agentId: string; from: Date; to: Date }[];
}

/** One row of the per-conversation export. */
export interface ConversationRow {
  sessionId: string;
  startedAt: string;
  closedAt: string | null;
  channel: string;
  groupId: string | null;
  agentId: string | null;
  firstResponseS: number | null;
  queueWaitS: number | null;
  messages: number;
  shopperMessages: number;
  transfers: number;
  closeReason: string | null;
}

export const replyWindowMs = 24 * hourMs;

/**
 * Which shopper messages were addressed to a person: those after the first
 * sign of the human part of the session (the handover notice, an agent
 * joining, or an agent's message, by seq), and the shopper's message just
 * before it that no robot answer followed (the request itself). The robot's
 * turns are not a person's.
 */
function toPersonMessages(messages: ChatMessage[]): ChatMessage[] {
  const ordered = [...messages].sort((a, b) => a.seq - b.seq);
  const boundary = ordered.findIndex(
    (m) =>
      m.sender.type === 'agent' ||
      m.messageId.startsWith('wf:handover') ||
      m.messageId.startsWith('wf:joined'),
  );
  if (boundary === -1) return [];
  const after = ordered.slice(boundary).filter((m) => m.sender.type === 'visitor');
  const before = ordered.slice(0, boundary);
  const lastRobot = before.map((m) => m.sender.type).lastIndexOf('robot');
  const request = before.slice(lastRobot + 1).filter((m) => m.sender.type === 'visitor');
  return [...request, ...after];
}

/**
 * Every contribution of an ended session: its session-level figures at the
 * hour it started; each shopper message to a person at the hour it was sent
 * (replied within 24 h or not — a session's messages are all known once it
 * has ended, and a person can only reply in an open session); each wait at
 * the hour it began; each transfer at its hour. Ratings are a fact of their
 * own (`ratingPart`).
 */
export function sessionParts(
  s: EndedSession,
  messages: ChatMessage[],
  timeZone: string,
): { parts: Part[]; row: ConversationRow } {
  const parts: Part[] = [];
  const at = (
    when: Date,
    figures: Partial<Figures>,
    who: { groupId?: string | undefined; agentId?: string | undefined; agentOnly?: true },
  ) => {
    const h = localHour(when, timeZone);
    parts.push({
      day: h.day,
      hour: h.start,
      ...(who.groupId ? { groupId: who.groupId } : {}),
      ...(who.agentId ? { agentId: who.agentId } : {}),
      ...(who.agentOnly ? { agentOnly: true } : {}),
      figures,
    });
  };
  const ordered = [...messages].sort((a, b) => a.seq - b.seq);
  const toPerson = toPersonMessages(ordered);
  const personReplies = ordered.filter((m) => m.sender.type === 'agent');
  const replyTo = (m: ChatMessage) => personReplies.find((r) => r.seq > m.seq);
  const delay = (m: ChatMessage, r: ChatMessage) =>
    Math.max(0, Date.parse(r.createdAt) - Date.parse(m.createdAt));

  const served = s.agents.length > 0;
  const leftMessage = s.closeReason === 'left_message';
  const consultation =
    s.waits.length > 0 ||
    served ||
    leftMessage ||
    s.closeReason === 'leave_message_timeout' ||
    s.abandoned === true;
  const lastGroup = s.groupId ?? s.waits.at(-1)?.groupId;
  const who = { groupId: lastGroup, agentId: s.agentId ?? s.agents.at(-1) };

  // First response: the first shopper message to a person, to the first reply after it.
  const first = toPerson[0];
  const firstReply = first && replyTo(first);
  const firstResponseMs = first && firstReply ? delay(first, firstReply) : undefined;

  const session: Partial<Figures> = {
    sessions: 1,
    ...(consultation ? { consultations: 1 } : { robotOnly: 1 }),
    ...(leftMessage ? { tickets: 1 } : {}),
    ...(served ? { handled: 1 } : {}),
    ...(served && !s.slaBreached && firstResponseMs !== undefined ? { withinSla: 1 } : {}),
    ...(s.abandoned ? { abandoned: 1 } : {}),
    ...(s.invited ? { invited: 1 } : {}),
    ...(s.closeReason ? { closeReasons: { [s.closeReason]: 1 } } : {}),
  };
  at(s.startedAt, session, who);
  // The first response is the replier's, whoever ended with the session.
  if (firstResponseMs !== undefined) {
    const t = emptyTiming();
    addTiming(t, firstResponseMs);
    at(s.startedAt, { firstResponse: t }, { groupId: lastGroup, agentId: firstReply?.sender.id });
  }
  // Each other agent who took the session handled it too (the last one is counted above).
  for (const agentId of new Set(s.agents)) {
    if (agentId !== who.agentId) {
      at(s.startedAt, { handled: 1 }, { groupId: lastGroup, agentId, agentOnly: true });
    }
  }

  let queueWaitMs: number | undefined;
  s.waits.forEach((w, i) => {
    const figures: Partial<Figures> = { queued: 1 };
    if (i > 0 && s.waits[i - 1]?.groupId !== w.groupId && !s.waits[i - 1]?.assignedAt) {
      figures.overflowed = 1;
    }
    if (w.assignedAt) {
      const t = emptyTiming();
      const ms = Math.max(0, w.assignedAt.getTime() - w.enqueuedAt.getTime());
      addTiming(t, ms);
      figures.queueWait = t;
      queueWaitMs ??= ms;
    }
    at(w.enqueuedAt, figures, { groupId: w.groupId, agentId: w.agentId });
  });

  for (const t of s.transfers) {
    at(t.at, { transfers: 1 }, { groupId: lastGroup, agentId: t.fromAgentId });
  }
  for (const silence of s.silences) {
    at(silence.at, { silentAgent: 1 }, { groupId: lastGroup, agentId: silence.agentId });
  }
  for (const h of s.holds) parts.push(...spanParts(h.agentId, 'held', h.from, h.to, timeZone));

  // Every shopper message to a person, and each turn's response time (its first message to the reply).
  let turnOpen = false;
  const toPersonSeqs = new Set(toPerson.map((m) => m.seq));
  for (const m of ordered) {
    if (m.sender.type === 'agent') turnOpen = false;
    if (!toPersonSeqs.has(m.seq)) continue;
    const reply = replyTo(m);
    const ms = reply ? delay(m, reply) : undefined;
    const figures: Partial<Figures> = { shopperMessages: 1 };
    if (ms !== undefined && ms <= replyWindowMs) figures.replied24h = 1;
    if (!turnOpen && reply && ms !== undefined) {
      const t = emptyTiming();
      addTiming(t, ms);
      figures.response = t;
    }
    turnOpen = true;
    at(new Date(m.createdAt), figures, {
      groupId: lastGroup,
      agentId: reply?.sender.id ?? who.agentId,
    });
  }

  const row: ConversationRow = {
    sessionId: s.sessionId,
    startedAt: s.startedAt.toISOString(),
    closedAt: s.closedAt?.toISOString() ?? null,
    channel: s.channel,
    groupId: lastGroup ?? null,
    agentId: who.agentId ?? null,
    firstResponseS: firstResponseMs === undefined ? null : firstResponseMs / 1000,
    queueWaitS: queueWaitMs === undefined ? null : queueWaitMs / 1000,
    messages: ordered.length,
    shopperMessages: ordered.filter((m) => m.sender.type === 'visitor').length,
    transfers: s.transfers.length,
    closeReason: s.closeReason ?? null,
  };
  return { parts, row };
}

/** A rating: counted at the hour it was given, for the session's group and agent. */
export function ratingPart(
  rating: { score: number; at: Date },
  who: { groupId?: string; agentId?: string },
  timeZone: string,
): Part {
  const h = localHour(rating.at, timeZone);
  const ratings = ratingScores.map((s) => (s === rating.score ? 1 : 0));
  return {
    day: h.day,
    hour: h.start,
    ...(who.groupId ? { groupId: who.groupId } : {}),
    ...(who.agentId ? { agentId: who.agentId } : {}),
    figures: { ratings },
  };
}

// ---------------------------------------------------------------------------
// Agent time: statuses, sessions held, occupancy

/**
 * [from, to) cut at the local hours it crosses: one part per local hour,
 * for the agent (`agentOnly`: the refresh adds the measured time to the
 * tenant itself, an agent's time belongs to no one group).
 */
export function spanParts(
  agentId: string,
  kind: Span['kind'],
  from: Date,
  to: Date,
  timeZone: string,
): Part[] {
  const parts: Part[] = [];
  for (let t = from.getTime(); t < to.getTime();) {
    const h = localHour(new Date(t), timeZone);
    const next = Math.min(to.getTime(), h.start.getTime() + hourMs);
    parts.push({
      day: h.day,
      hour: h.start,
      agentId,
      agentOnly: true,
      figures: {},
      spans: [{ kind, from: new Date(t), to: new Date(next) }],
    });
    t = next;
  }
  return parts;
}

type Interval = [number, number];

const union = (spans: Span[]): Interval[] => {
  const sorted = spans
    .map((s): Interval => [s.from.getTime(), s.to.getTime()])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
};

const measure = (xs: Interval[]) => xs.reduce((total, [a, b]) => total + (b - a), 0);

/** The overlap of two sorted, disjoint interval lists. */
function overlap(xs: Interval[], ys: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (let i = 0, j = 0; i < xs.length && j < ys.length;) {
    const x = xs[i] as Interval;
    const y = ys[j] as Interval;
    const a = Math.max(x[0], y[0]);
    const b = Math.min(x[1], y[1]);
    if (b > a) out.push([a, b]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

/**
 * One agent's time in one stretch (an hour) from its spans: time online and
 * away, time online holding at least one session (busy), and session time
 * held while online summed over sessions (held: two sessions at once count
 * twice, so held / online is the mean load). A session held while away or
 * offline counts for neither.
 */
export function agentTime(spans: Span[]): Partial<Figures> {
  const online = union(spans.filter((s) => s.kind === 'online'));
  const away = union(spans.filter((s) => s.kind === 'away'));
  const held = spans.filter((s) => s.kind === 'held');
  return {
    onlineMs: measure(online),
    awayMs: measure(away),
    busyMs: measure(overlap(online, union(held))),
    heldMs: held.reduce((total, s) => total + measure(overlap(online, union([s]))), 0),
  };
}

// ---------------------------------------------------------------------------
// CSV

export type CsvValue = string | number | boolean | null | undefined;

const csvField = (value: CsvValue): string => {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading = + - @ would be a formula in a spreadsheet: quoted with a ' in front.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One CSV line (RFC 4180, CRLF). */
export const csvLine = (fields: CsvValue[]): string => fields.map(csvField).join(',') + '\r\n';
