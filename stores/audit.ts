import { randomBytes } from 'node:crypto';
import type { Db, Filter } from 'mongodb';
import { collections, type AuditActor, type AuditDoc, type AuditSummary } from './collections';

/** What a route records about one change it made. */
export interface AuditEntry {
  action: string;
  target: { type: string; id: string };
  summary?: AuditSummary;
}

/**
 * Ids that sort by time: epoch ms (13 digits), then a counter within the
 * millisecond (so one process's entries keep their order), then randomness
 * (so two processes never collide; their entries of one millisecond have no
 * order to keep).
 */
function idMaker() {
  let lastMs = 0;
  let inMs = 0;
  return (at: Date): string => {
    const ms = at.getTime();
    inMs = ms === lastMs ? (inMs + 1) % 10_000 : 0;
    lastMs = ms;
    const counter = String(inMs).padStart(4, '0');
    return `${String(ms).padStart(13, '0')}-${counter}${randomBytes(4).toString('hex')}`;
  };
}

/** The audit log: one document per change of a tenant's configuration or accounts. */
export function auditStore(db: Db) {
  const { audit } = collections(db);
  const newId = idMaker();
  return {
    async record(tenantId: string, actor: AuditActor, entry: AuditEntry): Promise<AuditDoc> {
      const at = new Date();
      const doc: AuditDoc = {
        _id: newId(at),
        tenantId,
        at,
        actor,
        action: entry.action,
        target: entry.target,
        ...(entry.summary ? { summary: entry.summary } : {}),
      };
      await audit.insertOne(doc);
      return doc;
    },

    /** Newest first; `after` is the id of the last entry of the previous page. */
    async list(
      tenantId: string,
      query: { after?: string; action?: string; actor?: string },
      limit: number,
    ): Promise<AuditDoc[]> {
      const filter: Filter<AuditDoc> = {
        tenantId,
        ...(query.after !== undefined ? { _id: { $lt: query.after } } : {}),
        ...(query.action !== undefined ? { action: query.action } : {}),
        ...(query.actor !== undefined ? { 'actor.id': query.actor } : {}),
      };
      return audit.find(filter).sort({ _id: -1 }).limit(limit).toArray();
    },
  };
}

export type AuditStore = ReturnType<typeof auditStore>;
