import type { Db, Document } from 'mongodb';
import type { ChatMessage } from '../domain/message';
import { blobBucket, gridFsBlobs } from './attachment-blobs';
import { collections } from './collections';
import { toMessage } from './message-docs';

/**
 * Everything MongoDB holds about one customer (a visitor id of a tenant),
 * for export and erasure. Where it lives:
 *
 *   sessions        visitorId   the sessions, with their ratings and session tags
 *   open_sessions   visitorId   the pointer to their open session
 *   messages        sessionId   every message of their sessions
 *   attachments     sessionId   their sessions' uploads; the bytes in the blob store (GridFS)
 *   read_marks      sessionId   how far each reader read their sessions
 *   tickets         visitorId   their left messages, with contact details
 *   customer_tags   visitorId   tags on the customer
 *   outreaches      visitorId   merchants' first messages to them
 *   customers       visitorId   their profile (name, verified claims)
 *   idempotency     in bodies   replayable answers that mention them or their sessions
 *
 * Erasure does not rely on this list alone: every collection of the
 * database is swept for documents of the tenant that carry the visitor id
 * or one of their session ids, so a collection added later is covered
 * before anyone remembers to list it here.
 */

/** The profile collection, keyed by `tenantId` + `visitorId` (written by the customer profile feature). */
const profileCollection = 'customers';

/** Collections with nothing of a customer in them, or handled on their own. */
const notSwept = new Set([
  'tenants',
  'sessions',
  'idempotency',
  // GridFS: files carry tenant and session in `metadata`; removed through the blob store.
  `${blobBucket}.files`,
  `${blobBucket}.chunks`,
]);

export interface CustomerExport {
  visitorId: string;
  exportedAt: string;
  profile?: Record<string, unknown>;
  tags: string[];
  sessions: (Record<string, unknown> & { sessionId: string; messages: ChatMessage[] })[];
  tickets: Record<string, unknown>[];
  outreach: Record<string, unknown>[];
}

/** A stored document without its storage key and tenant, under its own id name. */
function publicFields(doc: Document, idName: string | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...doc };
  const id = fields._id;
  delete fields._id;
  delete fields.tenantId;
  return idName ? { [idName]: id, ...fields } : fields;
}

export function customerDataStore(db: Db) {
  const c = collections(db);
  const profiles = db.collection(profileCollection);

  /** The ids of every session the customer has, from each place that names one. */
  async function sessionIds(tenantId: string, visitorId: string): Promise<string[]> {
    const ids = new Set<string>();
    const of = { tenantId, visitorId };
    for (const doc of await c.sessions.find(of, { projection: { _id: 1 } }).toArray()) {
      ids.add(doc._id);
    }
    const named = await Promise.all([
      c.openSessions.find(of, { projection: { sessionId: 1 } }).toArray(),
      c.tickets.find(of, { projection: { sessionId: 1 } }).toArray(),
      c.outreaches.find(of, { projection: { sessionId: 1 } }).toArray(),
    ]);
    for (const doc of named.flat()) if (doc.sessionId) ids.add(doc.sessionId);
    return [...ids];
  }

  /** Whether anything but sessions holds the customer (tags, profile, a ticket, outreach…). */
  async function holdsMore(tenantId: string, visitorId: string): Promise<boolean> {
    const of = { tenantId, visitorId };
    const found = await Promise.all([
      c.customerTags.findOne(of, { projection: { _id: 1 } }),
      c.tickets.findOne(of, { projection: { _id: 1 } }),
      c.outreaches.findOne(of, { projection: { _id: 1 } }),
      c.openSessions.findOne(of, { projection: { _id: 1 } }),
      profiles.findOne(of, { projection: { _id: 1 } }),
    ]);
    return found.some(Boolean);
  }

  return {
    sessionIds,
    holdsMore,

    /** Everything held about the customer, as JSON-ready data; undefined when nothing is. */
    async export(tenantId: string, visitorId: string): Promise<CustomerExport | undefined> {
      const of = { tenantId, visitorId };
      const [sessions, tickets, outreach, tags, profile] = await Promise.all([
        c.sessions.find(of).sort({ startedAt: 1 }).toArray(),
        c.tickets.find(of).sort({ createdAt: 1 }).toArray(),
        c.outreaches.find(of).sort({ createdAt: 1 }).toArray(),
        c.customerTags.findOne({ _id: `${tenantId}:${visitorId}` }),
        profiles.findOne(of),
      ]);
      if (!sessions.length && !tickets.length && !outreach.length && !tags && !profile) {
        return undefined;
      }
      const withMessages = await Promise.all(
        sessions.map(async (session) => ({
          ...publicFields(session, 'sessionId'),
          sessionId: session._id,
          messages: (
            await c.messages.find({ tenantId, sessionId: session._id }).sort({ seq: 1 }).toArray()
          ).map(toMessage),
        })),
      );
      return {
        visitorId,
        exportedAt: new Date().toISOString(),
        ...(profile ? { profile: publicFields(profile, undefined) } : {}),
        tags: tags?.tags ?? [],
        sessions: withMessages,
        tickets: tickets.map((doc) => publicFields(doc, 'ticketId')),
        outreach: outreach.map((doc) => publicFields(doc, 'outreachId')),
      };
    },

    /**
     * Deletes the customer's documents everywhere; returns how many per
     * collection. Sessions go last: a rerun after an interruption finds
     * what is left through them. Idempotent.
     */
    async erase(
      tenantId: string,
      visitorId: string,
      sessions: string[],
    ): Promise<Record<string, number>> {
      const deleted: Record<string, number> = {};
      const count = (name: string, n: number) => {
        if (n > 0) deleted[name] = (deleted[name] ?? 0) + n;
      };
      // The uploads' bytes first: their records go in the sweep below.
      count('attachment_blobs', await gridFsBlobs(db).removeSessions(tenantId, sessions));
      const listed = await db.listCollections({}, { nameOnly: true }).toArray();
      for (const { name } of listed) {
        if (notSwept.has(name) || name.startsWith('system.')) continue;
        const collection = db.collection(name);
        if (sessions.length) {
          const bySession = await collection.deleteMany({ tenantId, sessionId: { $in: sessions } });
          count(name, bySession.deletedCount);
        }
        count(name, (await collection.deleteMany({ tenantId, visitorId })).deletedCount);
      }
      count('idempotency', await forgetAnswersMentioning(db, tenantId, [visitorId, ...sessions]));
      if (sessions.length) {
        count(
          'sessions',
          (await c.sessions.deleteMany({ _id: { $in: sessions }, tenantId })).deletedCount,
        );
      }
      count('sessions', (await c.sessions.deleteMany({ tenantId, visitorId })).deletedCount);
      return deleted;
    },
  };
}

/**
 * Replayable POST answers of the tenant (kept a day at most) whose body
 * mentions one of `needles`: a close answered to the shopper or an admin
 * carries the visitor id. Their keys name the credential, not the customer,
 * so the tenant's answers are read and matched here; an erase is rare.
 */
async function forgetAnswersMentioning(
  db: Db,
  tenantId: string,
  needles: string[],
): Promise<number> {
  const { idempotency } = collections(db);
  const prefix = `tenant:${tenantId}:`;
  const answers = await idempotency
    .find({ _id: { $regex: `^${escapeRegex(prefix)}` } }, { projection: { body: 1 } })
    .toArray();
  const mentioning = answers
    .filter((doc) => {
      // A shopper's own answers are keyed by their session (`…:session:<id>:…`).
      const text = doc._id + JSON.stringify(doc.body ?? null);
      return needles.some((needle) => text.includes(needle));
    })
    .map((doc) => doc._id);
  if (!mentioning.length) return 0;
  return (await idempotency.deleteMany({ _id: { $in: mentioning } })).deletedCount;
}

export const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type CustomerDataStore = ReturnType<typeof customerDataStore>;
