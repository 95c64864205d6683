import { botHookSettingsSchema } from '../../domain/bot-hook';
import type { BotHookStore } from '../../stores/bot-hooks';
import type { AuditTrail } from '../audit-trail';
import type { endpoints } from '../http/endpoint';
import { tenantHookRoutes } from './tenant-hook-routes';

export interface BotHookRouteDeps {
  botHooks: BotHookStore;
  audit: AuditTrail;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: bot hooks follow the webhooks' address policy. */
  allowPrivateAddresses: boolean;
}

/**
 * The tenant's bot hook (admin keys): the URL of the tenant's own bot that
 * answers shoppers first in the robot phase (docs/bot-hook.md). One per
 * tenant. The signing secret is shown when the hook is created and on
 * rotate, never in GET. Sessions read the hook as they open: one opened
 * before a change keeps asking (or not asking) as it began, though a turn
 * always signs with the current secret and URL.
 */
export function botHookRoutes(api: ReturnType<typeof endpoints>, deps: BotHookRouteDeps) {
  tenantHookRoutes(
    api,
    {
      path: '/api/v1/bot-hook',
      tag: 'bot-hook',
      name: 'bot hook',
      settings: botHookSettingsSchema,
      urlDescription:
        'http(s) URL of the bot; private, loopback and link-local addresses are refused (as for webhooks)',
      putSummary:
        'Point the robot at the tenant’s own bot; the answer shows the signing secret when this creates the hook',
      putDescription:
        'Each shopper text in the robot phase is POSTed to `url`, signed with `Reception-Signature` as webhooks are; ' +
        'the bot answers `{"type":"text","text","suggestions"?}`, `{"type":"card","card","text"?}` or `{"type":"handover","text"?}`. ' +
        'A bot that misses `timeoutMs`, answers non-2xx or answers something else is skipped: the FAQ robot answers that text. ' +
        'Sessions opened from now on use the hook; open ones keep what they began with.',
      deleteSummary: 'Remove the bot hook: the FAQ robot answers alone again',
      rotateSummary: 'A new signing secret, shown once; bot calls sign with it from now on',
    },
    { hooks: deps.botHooks, audit: deps.audit, allowPrivateAddresses: deps.allowPrivateAddresses },
  );
}
