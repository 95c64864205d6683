import type { Db } from 'mongodb';
import { collections } from './collections';
import { isNotImplemented } from './mongo-errors';
import { ensureBlobIndexes } from './attachment-blobs';

/**
 * Creates the indexes the stores rely on; idempotent, run by every process at
 * start. The unique ones are correctness, not speed: they decide message
 * numbering and idempotency (DESIGN.md §6).
 */
export async function ensureIndexes(db: Db): Promise<void> {
  const {
    messages,
    notes,
    sessions,
    openSessions,
    agents,
    groups,
    faqs,
    tickets,
    apiKeys,
    flowVersions,
    idempotency,
    quickReplies,
    tags,
    customerTags,
    tagExternalIds,
    outreaches,
    audit,
    customers,
    events,
    webhooks,
    webhookDeliveries,
    webhookLeases,
    emailThreads,
    reportFacts,
    reportRollups,
  } = collections(db);
  // Seqs need no index of their own: a message's `_id` is `<tenant>/<session>/<seq>`, unique.
  await messages.createIndex(
    { tenantId: 1, sessionId: 1, messageId: 1 },
    { unique: true, name: 'session_message_id' },
  );
  await notes.createIndex({ tenantId: 1, sessionId: 1, createdAt: 1 }, { name: 'tenant_session' });
  await sessions.createIndex(
    { tenantId: 1, visitorId: 1, startedAt: -1 },
    { name: 'tenant_visitor' },
  );
  // Routing rebuilds from queued and assigned sessions; lists filter by phase.
  await sessions.createIndex({ tenantId: 1, phase: 1 }, { name: 'tenant_phase' });
  // A channel's backend names a session it just opened, before its workflow has projected it.
  await openSessions.createIndex({ tenantId: 1, sessionId: 1 }, { name: 'tenant_session' });
  // Agents' session lists.
  await sessions.createIndex({ tenantId: 1, agentId: 1, phase: 1 }, { name: 'tenant_agent_phase' });
  await agents.createIndex({ tenantId: 1, agentId: 1 }, { name: 'tenant_agent' });
  await groups.createIndex({ tenantId: 1, groupId: 1 }, { name: 'tenant_group' });
  await faqs.createIndex({ tenantId: 1 }, { name: 'tenant' });
  await tickets.createIndex({ tenantId: 1, status: 1, createdAt: -1 }, { name: 'tenant_status' });
  await sessions.createIndex({ tenantId: 1, startedAt: -1 }, { name: 'tenant_started' });
  await apiKeys.createIndex({ tenantId: 1 }, { name: 'tenant' });
  await flowVersions.createIndex({ tenantId: 1, version: -1 }, { name: 'tenant_version' });
  await quickReplies.createIndex({ tenantId: 1, ownerId: 1 }, { name: 'tenant_owner' });
  await tags.createIndex({ tenantId: 1, groupId: 1 }, { name: 'tenant_group' });
  // Session search by tag; a tag's removal pulls it from customers too.
  await sessions.createIndex({ tenantId: 1, tags: 1, startedAt: -1 }, { name: 'tenant_tags' });
  await customerTags.createIndex({ tenantId: 1, tags: 1 }, { name: 'tenant_tags' });
  // An external id names one tag per platform: concurrent mappings cannot both win.
  await tagExternalIds.createIndex(
    { tenantId: 1, platform: 1, externalId: 1 },
    { unique: true, name: 'tenant_platform_external' },
  );
  // A tag's ids are listed, and removed with it.
  await tagExternalIds.createIndex({ tenantId: 1, tagId: 1 }, { name: 'tenant_tag' });
  await outreaches.createIndex({ tenantId: 1, visitorId: 1 }, { name: 'tenant_visitor' });
  // The audit log is read per tenant, newest first (ids sort by time).
  await audit.createIndex({ tenantId: 1, _id: -1 }, { name: 'tenant_id' });
  // The customer list, newest change first.
  await customers.createIndex({ tenantId: 1, updatedAt: -1 }, { name: 'tenant_updated' });
  // The event feed (events/feed.ts): per tenant in (time, id) order, from both sources.
  await events.createIndex({ tenantId: 1, at: 1, _id: 1 }, { name: 'tenant_at' });
  await messages.createIndex(
    { tenantId: 1, createdAt: 1, sessionId: 1, seq: 1 },
    { name: 'tenant_created' },
  );
  await webhooks.createIndex({ tenantId: 1, createdAt: 1 }, { name: 'tenant_created' });
  // Reports (reports/): a day's facts for its rollup, conversations in start order, a range of rollups.
  await reportFacts.createIndex({ tenantId: 1, days: 1 }, { name: 'tenant_days' });
  await reportFacts.createIndex({ tenantId: 1, startedAt: 1, _id: 1 }, { name: 'tenant_started' });
  await reportRollups.createIndex({ tenantId: 1, scope: 1, day: 1 }, { name: 'tenant_scope_day' });
  await webhooks.createIndex({ active: 1 }, { name: 'active' });
  // A subscription's delivery log, newest first; redeliveries asked for.
  await webhookDeliveries.createIndex(
    { tenantId: 1, webhookId: 1, createdAt: -1 },
    { name: 'tenant_webhook_created' },
  );
  await webhookDeliveries.createIndex({ redeliver: 1 }, { name: 'redeliver' });
  await webhookLeases.createIndex({ subscription: 1, epoch: -1 }, { name: 'subscription_epoch' });
  // The email channel's batches that are due (workers/email-delivery.ts).
  await emailThreads.createIndex({ tenantId: 1, pendingSince: 1 }, { name: 'tenant_pending' });
  // Attachments: a session's, for erasure and retention (records and their blobs).
  await collections(db).attachments.createIndex(
    { tenantId: 1, sessionId: 1 },
    { name: 'tenant_session' },
  );
  await ensureBlobIndexes(db);
  // MongoDB removes expired idempotent answers itself; FerretDB v1 has no TTL
  // indexes, so there a plain index serves the store's own sweep. Expired
  // answers are ignored on read either way.
  try {
    await idempotency.createIndex({ expiresAt: 1 }, { name: 'ttl', expireAfterSeconds: 0 });
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
    await idempotency.createIndex({ expiresAt: 1 }, { name: 'expires' });
  }
}
