import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import {
  agentTime,
  compactFigures,
  emptyFigures,
  mergeFigures,
  type Figures,
  type Span,
} from '../domain/reports';
import { collections, type ReportRollupDoc } from '../stores/collections';

/**
 * Rollups: per tenant, local day and scope (the tenant, each group, each
 * agent), the day's figures and its hours' figures, so a year's report reads
 * a few hundred documents.
 *
 * State and invariant:
 *
 * - `report_facts` is the log (record.ts); `report_rollups` is a function of
 *   it: a day's rollups are the sums of the parts of that day's facts,
 *   rewritten whole by `refreshDay`, never incremented in place (FerretDB v1
 *   has no atomic `$inc` under concurrency, DESIGN.md §6, and a recomputation
 *   cannot count a retried fact twice).
 * - `report_dirty` holds a `(tenant, day)` whose rollups may lag its facts,
 *   with a `mark` that every new fact changes. A refresh reads the mark,
 *   then the facts, writes the rollups, and removes the dirty entry only if
 *   the mark is still the one it read: a fact inserted meanwhile set a new
 *   mark after its insert, so either the refresh saw it or the day stays
 *   dirty. Reports refresh the dirty days of their range before reading, so
 *   they are exact; the worker's sweep (sweep.ts) keeps the backlog short.
 * - `report_tables` holds each day's agent and group tables, and month
 *   tables summed from them on read (queries.ts) that carry the month's
 *   `report_months` stamp; a refresh writes its day tables and then a new
 *   stamp, so a month table summed from older day tables no longer matches
 *   and is summed again when next read.
 */

export async function markDirty(db: Db, tenantId: string, days: string[]): Promise<void> {
  const { reportDirty } = collections(db);
  // One upsert per day, side by side: a fact's days are independent marks.
  await Promise.all(
    days.map((day) =>
      reportDirty.updateOne(
        { _id: `${tenantId}/${day}` },
        { $set: { tenantId, day, mark: randomUUID() } },
        { upsert: true },
      ),
    ),
  );
}

const rollupId = (tenantId: string, day: string, scope: ReportRollupDoc['scope'], id: string) =>
  `${tenantId}/${day}/${scope}/${id}`;

/** Recomputes one day's rollups from its facts; answers whether it was still dirty-free of newer marks. */
export async function refreshDay(db: Db, tenantId: string, day: string): Promise<void> {
  const { reportDirty, reportFacts, reportRollups, reportTables, reportMonths } = collections(db);
  const dirty = await reportDirty.findOne({ _id: `${tenantId}/${day}` });
  const facts = await reportFacts
    .find({ tenantId, days: day }, { projection: { parts: 1 } })
    .toArray();

  const scopes = new Map<string, Omit<ReportRollupDoc, 'figures'> & { figures: Figures }>();
  const hours = new Map<string, Map<number, Figures>>();
  const add = (scope: ReportRollupDoc['scope'], scopeId: string, hour: Date, f: Figures) => {
    const id = rollupId(tenantId, day, scope, scopeId);
    let doc = scopes.get(id);
    if (!doc) {
      doc = { _id: id, tenantId, day, scope, scopeId, figures: emptyFigures(), hours: [] };
      scopes.set(id, doc);
      hours.set(id, new Map());
    }
    mergeFigures(doc.figures, f);
    const byHour = hours.get(id);
    const at = hour.getTime();
    byHour?.set(at, mergeFigures(byHour.get(at) ?? emptyFigures(), f));
  };
  // Each agent's spans of each hour (statuses, sessions held), measured together below.
  const spans = new Map<string, { agentId: string; hour: Date; spans: Span[] }>();
  for (const fact of facts) {
    for (const part of fact.parts) {
      if (part.day !== day) continue;
      const f = mergeFigures(emptyFigures(), part.figures);
      if (!part.agentOnly) add('tenant', '', part.hour, f);
      if (part.groupId && !part.agentOnly) add('group', part.groupId, part.hour, f);
      if (part.agentId && !part.spans) add('agent', part.agentId, part.hour, f);
      if (part.agentId && part.spans) {
        const key = `${part.agentId}\n${part.hour.getTime()}`;
        const entry = spans.get(key) ?? { agentId: part.agentId, hour: part.hour, spans: [] };
        entry.spans.push(...part.spans);
        spans.set(key, entry);
      }
    }
  }
  // An agent's time is the agent's and the tenant's (an agent serves several groups).
  for (const { agentId, hour, spans: theirs } of spans.values()) {
    const f = mergeFigures(emptyFigures(), agentTime(theirs));
    if (f.onlineMs === 0 && f.awayMs === 0) continue;
    add('agent', agentId, hour, f);
    add('tenant', '', hour, f);
  }
  for (const [id, doc] of scopes) {
    const stored: ReportRollupDoc = {
      ...doc,
      figures: compactFigures(doc.figures),
      hours: [...(hours.get(id) ?? new Map<number, Figures>())]
        .sort(([a], [b]) => a - b)
        .map(([start, figures]) => ({ start: new Date(start), figures: compactFigures(figures) })),
    };
    await reportRollups.replaceOne({ _id: id }, stored, { upsert: true });
  }
  // Scopes the facts no longer name (a rebuild moved them) go.
  await reportRollups.deleteMany({ tenantId, day, _id: { $nin: [...scopes.keys()] } });
  // The day's agent and group tables: a range's table reads one document a day, not one per row.
  for (const scope of ['agent', 'group'] as const) {
    const rows = [...scopes.values()]
      .filter((d) => d.scope === scope)
      .map((d) => ({ id: d.scopeId, figures: compactFigures(d.figures) }));
    await reportTables.replaceOne(
      { _id: `${tenantId}/${day}/${scope}` },
      { tenantId, day, scope, rows },
      { upsert: true },
    );
  }
  // After the day tables: a month table summed before this stamp is stale (queries.ts).
  await reportMonths.updateOne(
    { _id: `${tenantId}/${day.slice(0, 7)}` },
    { $set: { tenantId, stamp: randomUUID() } },
    { upsert: true },
  );
  if (dirty) await reportDirty.deleteOne({ _id: dirty._id, mark: dirty.mark });
}

/** Refreshes the tenant's dirty days (those within [from, to] when given). */
export async function refreshDirty(
  db: Db,
  tenantId: string,
  range?: { from: string; to: string },
): Promise<number> {
  const { reportDirty } = collections(db);
  const dirty = await reportDirty
    .find({ tenantId, ...(range ? { day: { $gte: range.from, $lte: range.to } } : {}) })
    .toArray();
  for (const d of dirty) await refreshDay(db, tenantId, d.day);
  return dirty.length;
}

/** Refreshes every tenant's dirty days: the worker's sweep. */
export async function refreshAllDirty(db: Db, limit = 100): Promise<number> {
  const { reportDirty } = collections(db);
  const dirty = await reportDirty.find({}).limit(limit).toArray();
  for (const d of dirty) await refreshDay(db, d.tenantId, d.day);
  return dirty.length;
}
