import type { Db } from 'mongodb';
import {
  compactFigures,
  daysBetween,
  derive,
  emptyFigures,
  fullFigures,
  localHour,
  localMidnight,
  mergeFigures,
  previousRange,
  type ConversationRow,
  type DerivedFigures,
  type Figures,
} from '../domain/reports';
import { collections, type ReportRollupDoc, type ReportTableDoc } from '../stores/collections';
import { tenantTimeZone } from './record';
import { refreshDirty } from './rollups';

/**
 * Report queries: each refreshes the dirty days of its range (rollups.ts),
 * then sums rollups. Ranges are local dates, inclusive, in the tenant's time
 * zone (record.ts `tenantTimeZone`).
 */

export interface ReportRange {
  from: string;
  to: string;
  groupId?: string;
  agentId?: string;
}

type Scope = ReportRollupDoc['scope'];

/** The scope a filter names: an agent over a group over the tenant. */
const scopeOf = (r: ReportRange): { scope: Scope; scopeId: string } =>
  r.agentId
    ? { scope: 'agent', scopeId: r.agentId }
    : r.groupId
      ? { scope: 'group', scopeId: r.groupId }
      : { scope: 'tenant', scopeId: '' };

/** Lookups at once: enough to hide the round trips, few enough not to flood the server. */
const parallelLookups = 32;

async function rollupsOf(db: Db, tenantId: string, range: ReportRange, scope: Scope, id: string) {
  // One `_id` lookup per day, not a filter: FerretDB v1 answers only `_id` equality from
  // its index and scans the collection for anything else (stores/message-docs.ts).
  const { reportRollups } = collections(db);
  const ids = daysBetween(range.from, range.to).map((d) => `${tenantId}/${d}/${scope}/${id}`);
  const found: ReportRollupDoc[] = [];
  for (let i = 0; i < ids.length; i += parallelLookups) {
    const docs = await Promise.all(
      ids.slice(i, i + parallelLookups).map((_id) => reportRollups.findOne({ _id })),
    );
    for (const doc of docs) if (doc) found.push(doc);
  }
  return found;
}

export interface Summary {
  timeZone: string;
  from: string;
  to: string;
  figures: DerivedFigures;
  previous: { from: string; to: string; figures: DerivedFigures };
}

const sum = (docs: { figures: Partial<Figures> }[]) =>
  docs.reduce((total, d) => mergeFigures(total, d.figures), emptyFigures());

/** The headline figures of a range and of the range of the same length before it. */
export async function summary(db: Db, tenantId: string, range: ReportRange): Promise<Summary> {
  const prev = previousRange(range.from, range.to);
  await refreshDirty(db, tenantId, { from: prev.from, to: range.to });
  const { scope, scopeId } = scopeOf(range);
  const [timeZone, now, before] = await Promise.all([
    tenantTimeZone(db, tenantId),
    rollupsOf(db, tenantId, range, scope, scopeId),
    rollupsOf(db, tenantId, { ...range, ...prev }, scope, scopeId),
  ]);
  return {
    timeZone,
    from: range.from,
    to: range.to,
    figures: derive(sum(now)),
    previous: { ...prev, figures: derive(sum(before)) },
  };
}

/** Figures per agent or per group over the range, by id (sorted). */
export async function byScope(
  db: Db,
  tenantId: string,
  range: ReportRange,
  scope: 'agent' | 'group',
): Promise<{ id: string; figures: DerivedFigures }[]> {
  await refreshDirty(db, tenantId, range);
  const id = scope === 'agent' ? range.agentId : range.groupId;
  const totals = new Map<string, Figures>();
  const add = (rowId: string, f: Partial<Figures>) =>
    totals.set(rowId, mergeFigures(totals.get(rowId) ?? emptyFigures(), f));
  if (id) {
    for (const d of await rollupsOf(db, tenantId, range, scope, id)) add(d.scopeId, d.figures);
  } else {
    // Whole months from their month tables (twelve documents for a year), the rest by day.
    const { months, days } = monthsAndDays(range.from, range.to);
    for (const month of months) {
      for (const row of await monthTable(db, tenantId, month, scope)) add(row.id, row.figures);
    }
    for (const doc of await dayTables(db, tenantId, days, scope)) {
      for (const row of doc.rows) add(row.id, row.figures);
    }
  }
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, f]) => ({ id, figures: derive(f) }));
}

async function dayTables(db: Db, tenantId: string, days: string[], scope: 'agent' | 'group') {
  const { reportTables } = collections(db);
  const ids = days.map((d) => `${tenantId}/${d}/${scope}`);
  const found: ReportTableDoc[] = [];
  for (let i = 0; i < ids.length; i += parallelLookups) {
    const docs = await Promise.all(
      ids.slice(i, i + parallelLookups).map((_id) => reportTables.findOne({ _id })),
    );
    for (const doc of docs) if (doc) found.push(doc);
  }
  return found;
}

/** The calendar months wholly inside [from, to] (YYYY-MM), and the days outside them. */
export function monthsAndDays(from: string, to: string): { months: string[]; days: string[] } {
  const all = daysBetween(from, to);
  const byMonth = new Map<string, string[]>();
  for (const day of all)
    byMonth.set(day.slice(0, 7), [...(byMonth.get(day.slice(0, 7)) ?? []), day]);
  const months: string[] = [];
  const days: string[] = [];
  for (const [month, inRange] of byMonth) {
    const length = daysBetween(`${month}-01`, lastOfMonth(month)).length;
    if (inRange.length === length) months.push(month);
    else days.push(...inRange);
  }
  return { months, days };
}

const lastOfMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, m ?? 0, 0)).toISOString().slice(0, 10);
};

/**
 * A month's agent or group table: the stored one if it carries the month's
 * current stamp (no day of the month refreshed since it was summed), else
 * summed from the month's day tables and stored with the stamp read first
 * (rollups.ts says why that order is safe).
 */
async function monthTable(db: Db, tenantId: string, month: string, scope: 'agent' | 'group') {
  const { reportTables, reportMonths } = collections(db);
  const stamp = (await reportMonths.findOne({ _id: `${tenantId}/${month}` }))?.stamp ?? '';
  const _id = `${tenantId}/${month}/${scope}`;
  const stored = await reportTables.findOne({ _id });
  if (stored && stored.tenantId === tenantId && stored.stamp === stamp) return stored.rows;
  const totals = new Map<string, Figures>();
  const days = daysBetween(`${month}-01`, lastOfMonth(month));
  for (const doc of await dayTables(db, tenantId, days, scope)) {
    for (const row of doc.rows) {
      totals.set(row.id, mergeFigures(totals.get(row.id) ?? emptyFigures(), row.figures));
    }
  }
  const rows = [...totals].map(([id, f]) => ({ id, figures: compactFigures(f) }));
  await reportTables.replaceOne(
    { _id },
    { tenantId, day: month, scope, rows, stamp },
    { upsert: true },
  );
  return rows;
}

export interface Point {
  /** The bucket's first instant (ISO, UTC). */
  start: string;
  /** Its local label: the date (day) or YYYY-MM-DDTHH:00 (hour). */
  label: string;
  figures: DerivedFigures;
}

/** The figures per day or per local hour of the range; days without facts are zero. */
export async function timeseries(
  db: Db,
  tenantId: string,
  range: ReportRange,
  granularity: 'day' | 'hour',
): Promise<{ timeZone: string; points: Point[] }> {
  await refreshDirty(db, tenantId, range);
  const { scope, scopeId } = scopeOf(range);
  const [timeZone, docs] = await Promise.all([
    tenantTimeZone(db, tenantId),
    rollupsOf(db, tenantId, range, scope, scopeId),
  ]);
  const byDay = new Map(docs.map((d) => [d.day, d]));
  const points: Point[] = [];
  for (const day of daysBetween(range.from, range.to)) {
    const doc = byDay.get(day);
    if (granularity === 'day') {
      points.push({
        start: localMidnight(day, timeZone).toISOString(),
        label: day,
        figures: derive(fullFigures(doc?.figures)),
      });
      continue;
    }
    const stored = new Map((doc?.hours ?? []).map((h) => [h.start.getTime(), h.figures]));
    // Every local hour of the day (23 or 25 on a DST day), from midnight to the next.
    const end = localMidnight(nextDay(day), timeZone).getTime();
    for (let t = localMidnight(day, timeZone).getTime(); t < end; t += 3_600_000) {
      const h = localHour(new Date(t), timeZone);
      points.push({
        start: h.start.toISOString(),
        label: h.label,
        figures: derive(fullFigures(stored.get(h.start.getTime()))),
      });
    }
  }
  return { timeZone, points };
}

const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The ended sessions that started within the range, one row each, in start
 * order: a cursor, read a batch at a time, so an export never holds the
 * range in memory.
 */
export async function* conversations(
  db: Db,
  tenantId: string,
  range: ReportRange,
): AsyncGenerator<ConversationRow & { rating: number | null }> {
  const timeZone = await tenantTimeZone(db, tenantId);
  const cursor = collections(db)
    .reportFacts.find(
      {
        tenantId,
        startedAt: {
          $gte: localMidnight(range.from, timeZone),
          $lt: localMidnight(nextDay(range.to), timeZone),
        },
        ...(range.groupId ? { 'row.groupId': range.groupId } : {}),
        ...(range.agentId ? { 'row.agentId': range.agentId } : {}),
      },
      { projection: { row: 1 } },
    )
    .sort({ startedAt: 1, _id: 1 })
    .batchSize(500);
  const { reportFacts } = collections(db);
  // Ratings come after the close, as facts of their own: joined a batch at a time.
  const withRatings = async (rows: ConversationRow[]) => {
    const ratings = await reportFacts
      .find({ _id: { $in: rows.map((r) => `${tenantId}/rating:${r.sessionId}`) } })
      .toArray();
    const score = new Map(
      ratings.map((f) => [
        f.sessionId,
        (f.parts[0]?.figures.ratings ?? []).findIndex((n) => n > 0) + 1 || null,
      ]),
    );
    return rows.map((r) => ({ ...r, rating: score.get(r.sessionId) ?? null }));
  };
  try {
    let batch: ConversationRow[] = [];
    for await (const doc of cursor) {
      if (doc.row) batch.push(doc.row);
      if (batch.length === 200) {
        yield* await withRatings(batch);
        batch = [];
      }
    }
    if (batch.length) yield* await withRatings(batch);
  } finally {
    await cursor.close();
  }
}

/**
 * The tenant's figures of the local hours that began at or after `since`
 * (the monitor's "today"): sessions that ended, ratings given.
 */
export async function figuresSince(db: Db, tenantId: string, since: Date, now: Date) {
  const timeZone = await tenantTimeZone(db, tenantId);
  const from = localHour(since, timeZone);
  const to = localHour(now, timeZone).day;
  const range = { from: from.day <= to ? from.day : to, to };
  await refreshDirty(db, tenantId, range);
  const docs = await rollupsOf(db, tenantId, range, 'tenant', '');
  const total = emptyFigures();
  for (const d of docs) {
    for (const h of d.hours) if (h.start >= from.start) mergeFigures(total, h.figures);
  }
  return derive(total);
}
