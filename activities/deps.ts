import { Context } from '@temporalio/activity';
import { createLogger } from '../runtime/logger';
import type { PostMessageDeps } from '../messaging/post-message';
import type { FaqStore } from '../stores/faqs';
import type { SessionLists } from '../messaging/session-lists';
import type { HoursStore } from '../stores/hours';
import type { RoutingService } from '../routing/service';
import type { StaffStore } from '../stores/staff';
import type { SessionStore } from '../stores/sessions';
import type { TenantStore } from '../stores/tenants';
import type { TicketStore } from '../stores/tickets';
import type { TagStore } from '../stores/tags';
import type { OutreachStore } from '../stores/outreach';
import type { Outbox } from '../events/outbox';
import type { BotHookStore } from '../stores/bot-hooks';
import type { NoteStore } from '../stores/notes';
import type { TurnTracker } from '../messaging/turns';

/** What the session activities are built from: the worker (or a test) makes one of these. */
export interface ActivityDeps extends PostMessageDeps {
  tenants: TenantStore;
  sessions: SessionStore;
  /** Staff-only notes: a transfer's note is kept as one (activities/transfer.ts). */
  notes: NoteStore;
  faqs: FaqStore;
  tickets: TicketStore;
  hours: HoursStore;
  routing: RoutingService;
  lists: SessionLists;
  tags: TagStore;
  outreach: OutreachStore;
  /** Staff accounts: the names notices show the shopper. */
  staff: Pick<StaffStore, 'get'>;
  /** Domain events, recorded by the step that records their fact (activities/events.ts). */
  outbox: Outbox;
  /** Tenants' own bots, asked first in the robot phase (activities/bot-hook.ts). */
  botHooks: BotHookStore;
  /** Which turns the fast path signals: an assignment names the reply to expect. */
  turns: Pick<TurnTracker, 'expectReply'>;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: bot hooks follow the webhooks' address policy. */
  allowPrivateAddresses: boolean;
}

/**
 * Agents' lists are a view: a failed push must not fail (and retry) the
 * activity that changed the truth; the agent's next list read corrects it.
 * Nor does the activity wait for it: session activities run as local
 * activities, inside the workflow task, and a list push (coalesced, spaced
 * up to a second per session) would hold the session's next step.
 */
export function tellAgent(push: () => Promise<void>): void {
  // The push settles after the activity may have returned, outside its
  // context, where the activity log throws: take the logger now.
  const warn = warnNow();
  push().catch((error: unknown) => {
    warn('session list push failed', { error: String(error) });
  });
}

/** The running activity's logger, or the process's when called outside one (tests, repair). */
function warnNow(): (message: string, meta: Record<string, unknown>) => void {
  try {
    const logger = Context.current().log;
    return (message, meta) => {
      logger.warn(message, meta);
    };
  } catch {
    return (message, meta) => {
      fallbackLog.warn(message, meta);
    };
  }
}

const fallbackLog = createLogger('warn', { process: 'worker' });
