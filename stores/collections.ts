import type { Db } from 'mongodb';
import type { AgentStatus, AssignmentStrategy } from '../domain/agents';
import type { PresenceSettings, StatusReason } from '../domain/presence';
import type { FaqEntry } from '../domain/faq';
import type { ChatMessage } from '../domain/message';
import type { SessionNote } from '../domain/notes';
import type { CloseReason } from '../domain/session-commands';
import type { WorkingHours } from '../domain/working-hours';
import type { Channel, Entry, SessionPhase } from '../domain/session';
import type { FlowInput } from '../domain/flow';
import type { ApiKeyRole } from '../domain/access';
import type { StaffRole } from '../domain/staff-roles';
import type { QuickReplyScope } from '../domain/quick-replies';
import type { TagInput } from '../domain/tags';
import type { IdentityKind } from '../domain/identity';
import type { EventType } from '../domain/events';
import type { ConversationRow, Figures, Part } from '../domain/reports';

/**
 * Document shapes as stored; `_id` is ours wherever a natural key exists.
 *
 * Longer than most files on purpose: it is the schema of the database, one
 * interface per collection, so every stored shape (and every field's reason)
 * is read in one place; the stores that read and write them are one file per
 * collection beside it.
 */

export interface TenantDoc {
  _id: string;
  name: string;
  /** Validated on write, parsed with defaults on read (older documents lack newer fields). */
  flow?: FlowInput;
  createdAt: Date;
  /** Set while the operator has the tenant suspended: every credential of it is refused. */
  suspendedAt?: Date;
  /** Closed sessions (and their messages, resolved tickets, outreach) older than this are removed; absent keeps them. */
  retentionDays?: number;
  /** How agent presence works (absent: the defaults of domain/presence.ts). */
  presence?: PresenceSettings;
}

/** A tenant API key; only its hash is kept, the key itself is shown once. */
export interface ApiKeyDoc {
  _id: string;
  tenantId: string;
  name: string;
  role: ApiKeyRole;
  hash: string;
  createdAt: Date;
  revokedAt?: Date;
}

/** A person who logs in to the console: role and password hash, beside the routing settings in AgentDoc. */
export interface StaffDoc {
  _id: string;
  tenantId: string;
  agentId: string;
  name?: string;
  role: StaffRole;
  passwordHash?: string;
  updatedAt: Date;
  /** False while deactivated (absent: active); an inactive account cannot log in. */
  active?: boolean;
  deactivatedAt?: Date;
  /**
   * Set when the account was deleted: what is left is this tombstone (ids,
   * role, revocation), so the tokens it had stay refused; re-creating the
   * id with PUT clears it.
   */
  deletedAt?: Date;
  /** Tokens issued at or before this time (epoch ms) are refused. */
  tokensValidAfter?: number;
  /** Single tokens logged out before their expiry (epoch s); expired ones are pruned. */
  revokedTokens?: { id: string; expiresAt: number }[];
}

/** One version of a tenant's flow; versions are never changed, a change is a new version. */
export interface FlowVersionDoc {
  _id: string;
  tenantId: string;
  version: number;
  flow: FlowInput;
  createdAt: Date;
  note?: string;
  rolledBackFrom?: number;
}

/**
 * A POST answered under an Idempotency-Key, kept for replay until `expiresAt`
 * (a TTL index removes it). `status` is absent while the first request runs.
 */
export interface IdempotencyDoc {
  _id: string;
  fingerprint: string;
  status?: number;
  body?: unknown;
  expiresAt: Date;
}

/** At most one per (tenant, visitor): the pointer to the visitor's open session. */
export interface OpenSessionDoc {
  _id: string;
  tenantId: string;
  visitorId: string;
  sessionId: string;
  createdAt: Date;
}

/**
 * Projection of the session workflow, written by its activities, for lists,
 * search, and rebuilding routing state after Redis lost it: `groupId`,
 * `priority` and `enqueuedAt` while queued; `agentId` while assigned.
 */
export interface SessionDoc {
  _id: string;
  tenantId: string;
  visitorId: string;
  channel: Channel;
  entry: Entry;
  phase: SessionPhase;
  startedAt: Date;
  /** The flow version the session snapshotted at start (absent for sessions older than flow versions). */
  flowVersion?: number;
  groupId?: string;
  priority?: number;
  enqueuedAt?: number;
  agentId?: string;
  assignedAt?: Date;
  firstResponseAt?: Date;
  transfers?: {
    at: Date;
    fromAgentId: string;
    toAgentId?: string;
    toGroupId?: string;
    /** What the transferring agent wrote for the next one (staff only). */
    note?: string;
    /** When the transferring agent's holding began: one transfer ends one holding. */
    heldSince?: Date;
  }[];
  closedAt?: Date;
  closeReason?: CloseReason;
  abandoned?: boolean;
  slaBreachedAt?: Date;
  rating?: { score: number; comment?: string; at: Date };
  /** Tag ids: auto tags from the session's open, then manual and external ones. */
  tags?: string[];
  /** The last tag added or removed by hand or by API: what `tag.added`/`tag.removed` derive from. */
  lastTagChange?: TagChange;
}

/** One tag put on or taken off; `at` tells this change from an earlier one of the same tag. */
export interface TagChange {
  tagId: string;
  on: boolean;
  at: Date;
}

/** An agent's routing settings and presence: the durable truth Redis is rebuilt from. */
export interface AgentDoc {
  _id: string;
  tenantId: string;
  agentId: string;
  capacity: number;
  groups: string[];
  status: AgentStatus;
  /** Set by a status change (absent until the first): what `agent.status_changed` is derived from. */
  statusChangedAt?: Date;
  previousStatus?: AgentStatus;
  /** When the previous status began: the stretch a status change ends, for reports. */
  previousStatusChangedAt?: Date;
  /** Set while the engine, not the agent, chose the status ('disconnected': no console for the grace). */
  statusReason?: StatusReason;
  updatedAt: Date;
}

export interface GroupDoc {
  _id: string;
  tenantId: string;
  groupId: string;
  strategy: AssignmentStrategy;
  reserve: boolean;
  overflowGroupId?: string;
  updatedAt: Date;
}

export interface FaqDoc extends FaqEntry {
  _id: string;
  tenantId: string;
  updatedAt: Date;
}

/** A ticket in the tenant's queue: a message the shopper left, or one an agent made from a chat. */
export interface TicketDoc {
  _id: string;
  tenantId: string;
  sessionId: string;
  visitorId: string;
  groupId?: string;
  contact: { name?: string; phone?: string; email?: string; orderRef?: string };
  content: string;
  /** Where it came from; absent on older documents, which are all leave-message tickets. */
  source?: TicketSource;
  /** The agent who made it from the chat (`source: chat`). */
  createdBy?: string;
  /** The chat it was made from, as it stood (`source: chat`). */
  context?: TicketContext;
  status: 'open' | 'assigned' | 'resolved';
  assigneeId?: string;
  /** When the current assignee got it: tells one assignment from the next (`ticket.assigned`). */
  assignedAt?: Date;
  resolution?: string;
  resolvedAt?: Date;
  /** The shopper's answers by email after the ticket was opened, oldest first (channels/email/). */
  replies?: TicketReply[];
  /** Set when a reply reopened the resolved ticket: a later resolve is a new `ticket.resolved`. */
  reopenedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export type TicketSource = 'leave_message' | 'chat';

/**
 * What a ticket made from a chat keeps of it, so it reads on its own: where
 * the chat was opened from, who served it, and its latest lines (text only).
 */
export interface TicketContext {
  entry: Entry;
  channel: Channel;
  agentId?: string;
  lastMessages: { seq: number; sender: string; text: string; at: Date }[];
}

/** A shopper's reply to a ticket; `externalId` (the mail's Message-ID) makes a redelivery the same reply. */
export interface TicketReply {
  externalId: string;
  text: string;
  at: Date;
}

/** One working-hours schedule per (tenant, group, kind); group `*` is the tenant's default. */
export interface HoursDoc {
  _id: string;
  tenantId: string;
  groupId: string;
  kind: string;
  schedule: WorkingHours;
}

/** A quick reply: tenant-wide (no owner) or personal to `ownerId`. */
export interface QuickReplyDoc {
  _id: string;
  tenantId: string;
  scope: QuickReplyScope;
  ownerId?: string;
  shortcut: string;
  text: string;
  updatedAt: Date;
}

/** `_id` is `<tenantId>:<groupId>`, so the id is unique per tenant without a second index. */
export interface TagGroupDoc {
  _id: string;
  tenantId: string;
  groupId: string;
  name: string;
  updatedAt: Date;
}

/** `_id` is `<tenantId>:<tagId>`. */
export interface TagDoc extends TagInput {
  _id: string;
  tenantId: string;
  tagId: string;
  updatedAt: Date;
}

/**
 * One platform's id for a tag; `_id` is `<tenantId>:<tagId>:<platform>`, so a
 * tag has one id per platform, and the unique `tenant_platform_external`
 * index lets an external id name one tag only.
 */
export interface TagExternalIdDoc {
  _id: string;
  tenantId: string;
  tagId: string;
  platform: string;
  externalId: string;
  updatedAt: Date;
}

/** A customer's tags; `_id` is `<tenantId>:<visitorId>`. */
export interface CustomerTagsDoc {
  _id: string;
  tenantId: string;
  visitorId: string;
  tags: string[];
  lastTagChange?: TagChange;
  updatedAt: Date;
}

/** An agent's proactive first message to a customer, accepted under the 3-day rule. */
export interface OutreachDoc {
  _id: string;
  tenantId: string;
  visitorId: string;
  agentId: string;
  text: string;
  /** The consultation that allowed it, and until when it did. */
  lastConsultationAt: Date;
  allowedUntil: Date;
  /** Pending until the customer's next session opens with it as its first message. */
  status: 'pending' | 'delivered';
  createdAt: Date;
  sessionId?: string;
  deliveredAt?: Date;
}

/** `_id` is the message's key, `<tenant>/<session>/<seq>` (stores/message-keys.ts). */
/** A staff-only note in a session (domain/notes.ts); `_id` is `<tenant>/<session>/<noteId>`. */
export type NoteDoc = Omit<SessionNote, 'createdAt'> & {
  _id: string;
  tenantId: string;
  createdAt: Date;
};

export type MessageDoc = Omit<ChatMessage, 'createdAt'> & {
  _id: string;
  /** Shopper messages in the session up to this one: unread counts are a subtraction. */
  visitorCount: number;
  /**
   * When the shopper and an agent last wrote, up to this message: the
   * workflow's deadline timers read them from the session's last message,
   * so the fast path writes nothing but the message (DESIGN.md §3).
   */
  lastVisitorAt?: Date;
  lastAgentAt?: Date;
  createdAt: Date;
};

/** How far one reader (the shopper, or one agent) has read a session; only moves forward. */
export interface ReadMarkDoc {
  /** `<tenantId>:<sessionId>:<reader>`; reader is `visitor` or `agent:<agentId>`. */
  _id: string;
  tenantId: string;
  sessionId: string;
  reader: string;
  seq: number;
  updatedAt: Date;
}

/** Who changed something, as the audit log names them (never a secret). */
export type AuditActor =
  | { kind: 'api_key'; id: string; role: ApiKeyRole }
  | { kind: 'staff'; id: string; role: StaffRole }
  | { kind: 'operator'; id: 'operator'; role: 'operator' };

/** A small, secret-free account of what a change set (field names, versions, roles). */
export type AuditSummary = Record<string, string | number | boolean | string[]>;

/**
 * One change of a tenant's configuration or accounts. `_id` is
 * `<epoch ms, 13 digits>-<random>`, so ids sort by time: the log is paged by it.
 */
export interface AuditDoc {
  _id: string;
  tenantId: string;
  at: Date;
  actor: AuditActor;
  /** `<target type>.<verb>`, e.g. `flow.updated`, `agent.deactivated`. */
  action: string;
  target: { type: string; id: string };
  summary?: AuditSummary;
}

/**
 * A tenant's shopper-identity settings; `_id` is the tenant id. The secrets
 * are kept as they are (an HMAC check needs the secret itself) and leave the
 * store only in the one answer that creates them.
 */
export interface IdentitySettingsDoc {
  _id: string;
  tenantId: string;
  requireVerifiedIdentity: boolean;
  /** Newest first, at most two: the current secret and, during a rotation, the previous one. */
  secrets: { secretId: string; secret: string; createdAt: Date }[];
  updatedAt: Date;
}

/**
 * A customer profile; `_id` is `<tenantId>:<visitorId>`. Written from
 * verified identity claims on open and by the customer API; the customer's
 * tags stay in `customer_tags`, under the same key.
 */
export interface CustomerDoc {
  _id: string;
  tenantId: string;
  visitorId: string;
  identity: IdentityKind;
  name?: string;
  /**
   * The name the shopper typed when opening chat (the widget's, or a
   * channel's): shown to agents, but a hint only (DESIGN.md §7): `name`
   * comes from verified claims and the merchant's API, and routing reads that.
   */
  givenName?: string;
  email?: string;
  phone?: string;
  attributes: Record<string, string | number | boolean>;
  externalIds: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A recorded domain event (events/outbox.ts); `_id` is `<tenantId>/<event id>`,
 * so recording the same fact twice collides. The feed orders by (`at`, `_id`).
 */
export interface EventDoc {
  _id: string;
  tenantId: string;
  id: string;
  type: EventType;
  at: Date;
  data: Record<string, unknown>;
  /** The customer and session the event is about, so erasing the customer finds it. */
  visitorId?: string;
  sessionId?: string;
}

/** A tenant's webhook subscription; `_id` is `<tenantId>:<webhookId>`. */
export interface WebhookDoc {
  _id: string;
  tenantId: string;
  webhookId: string;
  url: string;
  types: EventType[];
  active: boolean;
  description?: string;
  /** Kept as it is: signing needs the secret itself. It leaves the store only in create and rotate answers. */
  secret: string;
  /** Feed position the subscription starts after (its creation): it receives events from then on. */
  startAfter: string;
  /** Set when delivery turned it off; a PATCH to active clears it. */
  disabledAt?: Date;
  disabledReason?: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * How far delivery to one subscription got, written only by the worker
 * holding its lease; `_id` as the subscription's.
 */
export interface WebhookProgressDoc {
  _id: string;
  tenantId: string;
  webhookId: string;
  /** Feed position of the last event delivered or given up on. */
  cursor: string;
  /** The event being retried: later events wait for it (order per subscription). */
  headEventId?: string;
  /** Deliveries marked failed in a row; a success resets it. */
  failedInARow: number;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

/** One event's delivery to one subscription; `_id` is `<tenantId>:<webhookId>:<event id>`. */
export interface WebhookDeliveryDoc {
  _id: string;
  tenantId: string;
  webhookId: string;
  eventId: string;
  eventType: EventType;
  /** The event's feed position. */
  position: string;
  /** The exact body sent (signed as it is), kept so retries and redelivery send the same bytes. */
  payload: string;
  /** Whom the event is about, so erasing the customer finds the logged body too. */
  visitorId?: string;
  sessionId?: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: Date;
  firstAttemptAt?: Date;
  lastAttemptAt?: Date;
  nextAttemptAt?: Date;
  responseStatus?: number;
  latencyMs?: number;
  error?: string;
  /** Asked for again through the API: sent once more, outside the subscription's order. */
  redeliver?: boolean;
}

/**
 * One outgoing hook per tenant (`_id` = tenant id): a URL, a deadline, an
 * on/off switch and a signing secret (stores/tenant-hook-store.ts). The bot
 * hook (domain/bot-hook.ts) and the order lookup hook (domain/order-lookup.ts)
 * each have their own collection, not a field of the flow, because flows are
 * readable and the secret must not be.
 */
export interface TenantHookDoc {
  _id: string;
  tenantId: string;
  url: string;
  timeoutMs: number;
  active: boolean;
  /** Kept as it is: signing needs the secret itself. It leaves the store only in create and rotate answers. */
  secret: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A lease on one subscription's delivery; `_id` is `<subscription _id>#<epoch>` (events/lease.ts). */
export interface WebhookLeaseDoc {
  _id: string;
  /** So that deleting the tenant (stores/tenant-data.ts) finds it. */
  tenantId: string;
  subscription: string;
  epoch: number;
  owner: string;
  until: Date;
}

/**
 * How far the email channel got with one session's agent lines (channels/email/,
 * workers/email-delivery.ts); `_id` is `<tenantId>:<sessionId>`. Lines up to
 * `mailedThrough` are done: mailed, read on the widget in time, or with no
 * address to mail. Written only by the worker holding the tenant's lease.
 */
export interface EmailThreadDoc {
  _id: string;
  tenantId: string;
  sessionId: string;
  mailedThrough: number;
  /** The newest agent line not done yet, and when the oldest not done was written (the batch window starts then). */
  pendingThrough?: number;
  pendingSince?: Date;
  /** A mail being sent: a worker that died before recording it sends the same range (same Message-ID) again. */
  sending?: { fromSeq: number; throughSeq: number };
  updatedAt: Date;
}

/** Where the email channel is in a tenant's event feed; `_id` is the tenant id. */
export interface EmailCursorDoc {
  _id: string;
  tenantId: string;
  cursor: string;
}

/**
 * One fact's report contributions (reports/record.ts): `_id`
 * `<tenantId>/<kind>:<sessionId>`, inserted once, so a retried step adds
 * nothing. `days` names the local days its parts fall on.
 */
export interface ReportFactDoc {
  _id: string;
  tenantId: string;
  /** `status`: an agent's status that ended, `<tenantId>/status:<agentId>:<ended at ms>`. */
  kind: 'session' | 'rating' | 'status';
  /** The session of a session or rating fact (erasing its customer removes the fact). */
  sessionId?: string;
  /** The agent of a status fact. */
  agentId?: string;
  days: string[];
  parts: Part[];
  /** The session's start (session facts): the per-conversation export's order. */
  startedAt?: Date;
  row?: ConversationRow;
  recordedAt: Date;
}

/** A session's queue waits and assignments as the workflow stamped them; `_id` `<tenantId>/<sessionId>`. */
export interface ReportMarksDoc {
  _id: string;
  tenantId: string;
  /** So that erasing the customer (stores/customer-data.ts) finds it. */
  sessionId: string;
  waits: { groupId: string; enqueuedAt: number }[];
  assignments: { agentId: string; assignedAt: Date }[];
  /** Each `session.agent_silent`: the silent agent and the deadline (workflow clock). */
  silences?: { agentId: string; at: Date }[];
}

/** A local day whose rollups lag its facts; `mark` changes with every fact (reports/rollups.ts). */
export interface ReportDirtyDoc {
  _id: string;
  tenantId: string;
  day: string;
  mark: string;
}

/** A day's figures of the tenant, one group or one agent, with its hours; `_id` `<tenantId>/<day>/<scope>/<scopeId>`. */
export interface ReportRollupDoc {
  _id: string;
  tenantId: string;
  day: string;
  scope: 'tenant' | 'group' | 'agent';
  scopeId: string;
  /** Without zeros (domain/reports.ts `compactFigures`). */
  figures: Partial<Figures>;
  hours: { start: Date; figures: Partial<Figures> }[];
}

/**
 * A day's per-agent or per-group table (day totals only): `_id`
 * `<tenantId>/<day>/<scope>`; or a month's, `<tenantId>/<YYYY-MM>/<scope>`
 * (`day` the month), summed from its day tables when the month's `stamp`
 * was the one it carries (reports/queries.ts).
 */
export interface ReportTableDoc {
  _id: string;
  tenantId: string;
  day: string;
  scope: 'group' | 'agent';
  rows: { id: string; figures: Partial<Figures> }[];
  stamp?: string;
}

/** A month whose day tables changed gets a new `stamp`; `_id` `<tenantId>/<YYYY-MM>` (reports/rollups.ts). */
export interface ReportMonthDoc {
  _id: string;
  tenantId: string;
  stamp: string;
}

/**
 * An uploaded attachment's record; its bytes (and an image's thumbnail) are in
 * the blob store (stores/attachment-blobs.ts) under keys of the same tenant,
 * session and id. `_id` is `<tenant>/<session>/<attachmentId>`.
 */
export interface AttachmentDoc {
  _id: string;
  tenantId: string;
  sessionId: string;
  attachmentId: string;
  kind: 'image' | 'video' | 'file';
  mimeType: string;
  /** Made safe at upload (domain/attachments.ts#safeFileName). */
  name: string;
  size: number;
  width?: number;
  height?: number;
  /** Present when a thumbnail was stored beside the original (images). */
  thumbnail?: { mimeType: string; size: number; width: number; height: number };
  uploadedBy: { type: 'visitor' | 'agent'; id: string };
  createdAt: Date;
}

export function collections(db: Db) {
  return {
    tenants: db.collection<TenantDoc>('tenants'),
    openSessions: db.collection<OpenSessionDoc>('open_sessions'),
    sessions: db.collection<SessionDoc>('sessions'),
    messages: db.collection<MessageDoc>('messages'),
    notes: db.collection<NoteDoc>('session_notes'),
    readMarks: db.collection<ReadMarkDoc>('read_marks'),
    agents: db.collection<AgentDoc>('agents'),
    groups: db.collection<GroupDoc>('groups'),
    faqs: db.collection<FaqDoc>('faqs'),
    tickets: db.collection<TicketDoc>('tickets'),
    hours: db.collection<HoursDoc>('working_hours'),
    apiKeys: db.collection<ApiKeyDoc>('api_keys'),
    staff: db.collection<StaffDoc>('staff'),
    flowVersions: db.collection<FlowVersionDoc>('flow_versions'),
    idempotency: db.collection<IdempotencyDoc>('idempotency'),
    quickReplies: db.collection<QuickReplyDoc>('quick_replies'),
    tagGroups: db.collection<TagGroupDoc>('tag_groups'),
    tags: db.collection<TagDoc>('tags'),
    customerTags: db.collection<CustomerTagsDoc>('customer_tags'),
    tagExternalIds: db.collection<TagExternalIdDoc>('tag_external_ids'),
    outreaches: db.collection<OutreachDoc>('outreaches'),
    audit: db.collection<AuditDoc>('audit'),
    identitySettings: db.collection<IdentitySettingsDoc>('identity_settings'),
    customers: db.collection<CustomerDoc>('customers'),
    events: db.collection<EventDoc>('events'),
    webhooks: db.collection<WebhookDoc>('webhooks'),
    webhookProgress: db.collection<WebhookProgressDoc>('webhook_progress'),
    webhookDeliveries: db.collection<WebhookDeliveryDoc>('webhook_deliveries'),
    webhookLeases: db.collection<WebhookLeaseDoc>('webhook_leases'),
    botHooks: db.collection<TenantHookDoc>('bot_hooks'),
    orderLookupHooks: db.collection<TenantHookDoc>('order_lookup_hooks'),
    emailThreads: db.collection<EmailThreadDoc>('email_threads'),
    emailCursors: db.collection<EmailCursorDoc>('email_cursors'),
    reportFacts: db.collection<ReportFactDoc>('report_facts'),
    reportMarks: db.collection<ReportMarksDoc>('report_marks'),
    reportDirty: db.collection<ReportDirtyDoc>('report_dirty'),
    reportRollups: db.collection<ReportRollupDoc>('report_rollups'),
    reportTables: db.collection<ReportTableDoc>('report_tables'),
    reportMonths: db.collection<ReportMonthDoc>('report_months'),
    attachments: db.collection<AttachmentDoc>('attachments'),
  };
}
