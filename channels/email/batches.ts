import type { Db } from 'mongodb';
import { z } from 'zod';
import type { MessageKind } from '../../domain/message';
import type { EventFeed } from '../../events/feed';
import { positionAt } from '../../events/feed';
import type { Logger } from '../../runtime/logger';
import { collections, type EmailThreadDoc } from '../../stores/collections';
import type { CustomerStore } from '../../stores/customers';
import type { MessageStore } from '../../stores/messages';
import { isDuplicateKey } from '../../stores/mongo-errors';
import type { ReadMarkStore } from '../../stores/read-marks';
import type { SessionStore } from '../../stores/sessions';
import type { TicketStore } from '../../stores/tickets';
import { ticketAnswerMail, type MailSettings } from './compose';
import { isPermanentMailError, type EmailOutbound } from './outbound';

/**
 * When an agent's reply reaches a shopper by email, decided from durable
 * facts only, so any worker can pick the work up after another died:
 *
 *   feed      the tenant's event feed (events/feed.ts), walked from the
 *             tenant's cursor (`email_cursors`): an agent's line
 *             (`message.created`) marks its session's thread pending; a
 *             ticket resolved with a resolution (`ticket.resolved`) is mailed
 *             at once to the ticket's address. The cursor moves past an entry
 *             only once it is handled.
 *   threads   per session (`email_threads`): lines up to `mailedThrough` are
 *             done; `pendingSince` is when the oldest line not done was
 *             written. EMAIL_BATCH_MS after it, the batch is due: the lines
 *             after `mailedThrough` that the shopper has not read (their read
 *             mark, which the widget raises for what it showed them, is below
 *             them) go out as ONE mail to the customer profile's email, else
 *             the session's ticket contact's. A shopper who read them, or
 *             one with no address, gets nothing and the lines are done.
 *
 * At least once: the range is written (`sending`) before the mail goes, and
 * `mailedThrough` after; a worker that died between the two sends the range
 * again with the same Message-ID, which mail clients show once. One worker
 * at a time serves a tenant (the caller holds its lease), so the reads and
 * writes here need no further locking.
 */

/** Kinds a person writes; system notices and rating cards are the widget's, not mail. */
const mailedKinds: readonly MessageKind[] = ['text', 'image', 'video', 'file', 'card'];

const pageSize = 200;

/** What a `message.created` body tells the batching about a line. */
const feedLine = z.object({
  tenantId: z.string(),
  sessionId: z.string(),
  seq: z.number().int(),
  kind: z.string(),
  sender: z.object({ type: z.string() }),
  createdAt: z.string(),
});
type FeedLine = z.infer<typeof feedLine>;
const isMailedLine = (m: { sender: { type: string }; kind: string }) =>
  m.sender.type === 'agent' && (mailedKinds as readonly string[]).includes(m.kind);

export interface EmailBatchDeps {
  db: Db;
  feed: EventFeed;
  sessions: Pick<SessionStore, 'get'>;
  messages: Pick<MessageStore, 'listAfter'>;
  reads: Pick<ReadMarkStore, 'get'>;
  customers: Pick<CustomerStore, 'get'>;
  tickets: Pick<TicketStore, 'get'>;
  outbound: EmailOutbound;
  settings: MailSettings;
  shopName: (tenantId: string) => Promise<string>;
  batchMs: number;
  log: Logger;
}

export function emailBatches(deps: EmailBatchDeps) {
  const { emailThreads, emailCursors } = collections(deps.db);
  const threadId = (tenantId: string, sessionId: string) => `${tenantId}:${sessionId}`;

  /** The shopper's address: their profile's, else the one they left on the session's ticket. */
  async function addressOf(tenantId: string, sessionId: string, visitorId: string) {
    const profile = await deps.customers.get(tenantId, visitorId, []);
    if (profile?.email) return profile.email;
    return (await deps.tickets.get(tenantId, `ticket-${sessionId}`))?.contact.email;
  }

  /** An agent's line: its session's thread becomes pending (or stays, with a later end). */
  async function note(line: FeedLine): Promise<void> {
    const { tenantId, sessionId, seq } = line;
    const _id = threadId(tenantId, sessionId);
    const at = new Date(line.createdAt);
    const doc = await emailThreads.findOne({ _id });
    if (!doc) {
      try {
        await emailThreads.insertOne({
          _id,
          tenantId,
          sessionId,
          mailedThrough: seq - 1,
          pendingThrough: seq,
          pendingSince: at,
          updatedAt: new Date(),
        });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        await note(line);
      }
      return;
    }
    if (seq <= doc.mailedThrough || seq <= (doc.pendingThrough ?? 0)) return;
    await emailThreads.updateOne(
      { _id },
      {
        $set: { pendingThrough: seq, pendingSince: doc.pendingSince ?? at, updatedAt: new Date() },
      },
    );
  }

  async function mailTicketAnswer(tenantId: string, data: Record<string, unknown>) {
    const ticketId = typeof data.ticketId === 'string' ? data.ticketId : undefined;
    const resolution = typeof data.resolution === 'string' ? data.resolution : undefined;
    if (!ticketId || !resolution) return;
    const ticket = await deps.tickets.get(tenantId, ticketId);
    if (!ticket?.resolvedAt) return;
    const to =
      ticket.contact.email ?? (await deps.customers.get(tenantId, ticket.visitorId, []))?.email;
    if (!to) return;
    const shop = { tenantId, name: await deps.shopName(tenantId) };
    const mail = ticketAnswerMail(deps.settings, shop, to, {
      sessionId: ticket.sessionId,
      content: ticket.content,
      resolution,
      resolvedAt: ticket.resolvedAt.toISOString(),
    });
    await sendOrGiveUp(() => deps.outbound.send(mail), { tenantId, ticketId });
  }

  /** Sends; a refusal that a retry cannot change is logged and dropped, anything else thrown (retried). */
  async function sendOrGiveUp(send: () => Promise<void>, about: Record<string, unknown>) {
    try {
      await send();
    } catch (error) {
      if (!isPermanentMailError(error)) throw error;
      deps.log.warn('mail refused by the SMTP server; not retried', {
        ...about,
        error: String(error),
      });
    }
  }

  /** The tenant's new feed entries, handled in order; the cursor follows each page. */
  async function walkFeed(tenantId: string, now: Date, stopped: () => boolean) {
    const stored = await emailCursors.findOne({ _id: tenantId });
    // A tenant seen first: lines from one batch window back still count, older ones never do.
    let cursor = stored?.cursor ?? positionAt(new Date(now.getTime() - deps.batchMs));
    for (;;) {
      if (stopped()) return;
      const { entries, next } = await deps.feed.read(tenantId, {
        after: cursor,
        types: ['message.created', 'ticket.resolved'],
        limit: pageSize,
      });
      for (const { event } of entries) {
        if (event.type === 'message.created') {
          const line = feedLine.safeParse(event.data);
          if (line.success && isMailedLine(line.data)) await note(line.data);
        } else {
          await mailTicketAnswer(tenantId, event.data);
        }
      }
      if (next && next !== cursor) {
        cursor = next;
        await emailCursors.updateOne(
          { _id: tenantId },
          { $set: { cursor, tenantId } },
          { upsert: true },
        );
      }
      if (entries.length < pageSize) return;
    }
  }

  /** One due thread: its unread lines mailed as one mail (or nothing to mail), then done. */
  async function flush(doc: EmailThreadDoc) {
    const { tenantId, sessionId } = doc;
    const fromSeq = doc.sending?.fromSeq ?? doc.mailedThrough + 1;
    const throughSeq = doc.sending?.throughSeq ?? doc.pendingThrough ?? doc.mailedThrough;
    const session = await deps.sessions.get(tenantId, sessionId);
    const read = await deps.reads.get(tenantId, sessionId, { type: 'visitor' });
    // An API-channel shopper is reached by the merchant's backend (message.created), never by mail.
    const lines =
      session && session.channel !== 'api' && throughSeq >= fromSeq
        ? (
            await deps.messages.listAfter(
              tenantId,
              sessionId,
              fromSeq - 1,
              throughSeq - fromSeq + 1,
            )
          ).messages.filter((m) => m.seq <= throughSeq && m.seq > read && isMailedLine(m))
        : [];
    const email =
      session && lines.length ? await addressOf(tenantId, sessionId, session.visitorId) : undefined;
    if (session && email && lines.length) {
      if (!doc.sending) {
        await emailThreads.updateOne(
          { _id: doc._id },
          { $set: { sending: { fromSeq, throughSeq }, updatedAt: new Date() } },
        );
      }
      // The decision is made and written: from here on, only the mail is left to go.
      await sendOrGiveUp(() => deps.outbound.deliver({ session, email }, lines), {
        tenantId,
        sessionId,
      });
    }
    await emailThreads.updateOne(
      { _id: doc._id },
      {
        $set: { mailedThrough: throughSeq, updatedAt: new Date() },
        $unset: { sending: '', pendingThrough: '', pendingSince: '' },
      },
    );
  }

  return {
    /** One round for one tenant: the new feed entries, then the batches that are due. */
    async round(tenantId: string, stopped: () => boolean, now: Date = new Date()) {
      await walkFeed(tenantId, now, stopped);
      const due = await emailThreads
        .find({ tenantId, pendingSince: { $lte: new Date(now.getTime() - deps.batchMs) } })
        .sort({ pendingSince: 1 })
        .limit(pageSize)
        .toArray();
      for (const doc of due) {
        if (stopped()) return;
        await flush(doc);
      }
    },
  };
}
