import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { emailBatches } from '../channels/email/batches';
import { emailOutbound } from '../channels/email/outbound';
import { eventFeed } from '../events/feed';
import { leases } from '../events/lease';
import { linkKey, linkSigner } from '../messaging/attachment-links';
import type { EmailConfig, EventConfig } from '../runtime/config';
import type { Logger } from '../runtime/logger';
import type { Stores } from '../wiring/engine';
import { startPeriodicRounds } from './periodic-rounds';

/**
 * The worker's email loop (channels/email/batches.ts decides what goes out):
 * a round per tenant a few times per batch window, each tenant served by one
 * worker at a time (a lease, as webhook delivery takes one per
 * subscription), beside the Temporal worker: neither the chat's fast path
 * nor a session workflow waits on SMTP. Off while SMTP_URL is unset.
 */
export function startEmailDelivery(options: {
  db: Db;
  stores: Pick<Stores, 'sessions' | 'messages' | 'reads' | 'customers' | 'tickets' | 'tenants'>;
  email: EmailConfig;
  events: EventConfig;
  tokenSecret: string | undefined;
  log: Logger;
}): { stop: () => Promise<void> } {
  const { db, stores, email, log } = options;
  if (email.SMTP_URL === undefined || options.tokenSecret === undefined) {
    return { stop: () => Promise.resolve() };
  }
  const settings = {
    from: email.MAIL_FROM,
    replyDomain: email.MAIL_REPLY_DOMAIN,
    tokenSecret: options.tokenSecret,
    // Signed as the API signs them (same key and lifetime), absolute on PUBLIC_URL.
    ...(email.PUBLIC_URL === undefined
      ? {}
      : {
          attachmentLinks: {
            publicUrl: email.PUBLIC_URL,
            signer: linkSigner(
              linkKey(options.tokenSecret, email.ATTACHMENT_LINK_SECRET),
              email.ATTACHMENT_LINK_TTL_SECONDS,
            ),
          },
        }),
  };
  const shopName = async (tenantId: string) =>
    (await stores.tenants.get(tenantId))?.name ?? tenantId;
  const outbound = emailOutbound(email.SMTP_URL, settings, shopName);
  const batches = emailBatches({
    db,
    feed: eventFeed(db, {
      settleMs: options.events.EVENT_SETTLE_MS,
      retentionDays: options.events.EVENT_RETENTION_DAYS,
    }),
    ...stores,
    outbound,
    settings,
    shopName,
    batchMs: email.EMAIL_BATCH_MS,
    log,
  });
  // Four looks per window: a batch goes out at most a quarter window late.
  const intervalMs = Math.min(Math.max(Math.floor(email.EMAIL_BATCH_MS / 4), 50), 5_000);
  const lease = leases(db, `email-${randomUUID()}`, { durationMs: 60_000 });
  let stopped = false;
  const rounds = startPeriodicRounds({
    name: 'email delivery',
    intervalMs,
    log,
    round: async () => {
      for (const tenantId of await stores.tenants.ids()) {
        if (stopped) return;
        const held = await lease.take({ _id: `email:${tenantId}`, tenantId });
        if (!held) continue;
        await batches
          .round(tenantId, () => stopped)
          .catch((error: unknown) =>
            log.warn('email round failed; the next round retries', {
              tenantId,
              error: String(error),
            }),
          );
      }
    },
  });
  return {
    async stop() {
      stopped = true;
      await rounds.stop();
      outbound.close();
    },
  };
}
