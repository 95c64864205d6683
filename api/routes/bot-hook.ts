import { z } from 'zod';
import { roles } from '../../domain/access';
import { botHookSettingsSchema } from '../../domain/bot-hook';
import { newWebhookSecret } from '../../events/signature';
import { webhookUrlProblem } from '../../events/url-policy';
import type { BotHookStore } from '../../stores/bot-hooks';
import type { AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { botHookView, createdBotHook, toBotHookView } from '../views';

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
  const body = z.strictObject({
    ...botHookSettingsSchema.shape,
    url: botHookSettingsSchema.shape.url
      .superRefine((value, ctx) => {
        const problem = webhookUrlProblem(value, deps.allowPrivateAddresses);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({
        description:
          'http(s) URL of the bot; private, loopback and link-local addresses are refused (as for webhooks)',
      }),
  });
  const existing = async (tenantId: string) => {
    const doc = await deps.botHooks.get(tenantId);
    if (!doc) throw new AppError(404, 'not_found', 'The tenant has no bot hook');
    return doc;
  };

  api.add({
    method: 'get',
    path: '/api/v1/bot-hook',
    tag: 'bot-hook',
    summary: 'The tenant’s bot hook (without its secret)',
    roles: roles.admin,
    responses: { 200: { description: 'The bot hook', schema: botHookView } },
    errors: { 404: 'The tenant has no bot hook' },
    async handle({ principal }) {
      return { status: 200, body: toBotHookView(await existing(tenantOf(principal))) };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/bot-hook',
    tag: 'bot-hook',
    summary:
      'Point the robot at the tenant’s own bot; the answer shows the signing secret when this creates the hook',
    description:
      'Each shopper text in the robot phase is POSTed to `url`, signed with `Reception-Signature` as webhooks are; ' +
      'the bot answers `{"type":"text","text","suggestions"?}`, `{"type":"card","card","text"?}` or `{"type":"handover","text"?}`. ' +
      'A bot that misses `timeoutMs`, answers non-2xx or answers something else is skipped: the FAQ robot answers that text. ' +
      'Sessions opened from now on use the hook; open ones keep what they began with.',
    roles: roles.admin,
    body,
    responses: {
      200: { description: 'Changed (the secret is kept)', schema: botHookView },
      201: {
        description: 'Created, with its secret (shown only here and on rotate)',
        schema: createdBotHook,
      },
    },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const { doc, created } = await deps.botHooks.put(tenantId, body, newWebhookSecret());
      await deps.audit.record(principal, tenantId, {
        action: created ? 'bot_hook.created' : 'bot_hook.updated',
        target: { type: 'bot_hook', id: 'bot-hook' },
        summary: { active: doc.active, timeoutMs: doc.timeoutMs },
      });
      return created
        ? { status: 201, body: { ...toBotHookView(doc), secret: doc.secret } }
        : { status: 200, body: toBotHookView(doc) };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/bot-hook',
    tag: 'bot-hook',
    summary: 'Remove the bot hook: the FAQ robot answers alone again',
    roles: roles.admin,
    responses: { 204: { description: 'Removed' } },
    errors: { 404: 'The tenant has no bot hook' },
    async handle({ principal }) {
      const tenantId = tenantOf(principal);
      if (!(await deps.botHooks.remove(tenantId))) {
        throw new AppError(404, 'not_found', 'The tenant has no bot hook');
      }
      await deps.audit.record(principal, tenantId, {
        action: 'bot_hook.deleted',
        target: { type: 'bot_hook', id: 'bot-hook' },
      });
      return { status: 204 };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/bot-hook/rotate-secret',
    tag: 'bot-hook',
    summary: 'A new signing secret, shown once; bot calls sign with it from now on',
    roles: roles.admin,
    responses: {
      200: { description: 'The new secret', schema: z.object({ secret: z.string() }) },
    },
    errors: { 404: 'The tenant has no bot hook' },
    async handle({ principal }) {
      const tenantId = tenantOf(principal);
      await existing(tenantId);
      const doc = await deps.botHooks.rotateSecret(tenantId, newWebhookSecret());
      if (!doc) throw new AppError(404, 'not_found', 'The tenant has no bot hook');
      await deps.audit.record(principal, tenantId, {
        action: 'bot_hook.secret_rotated',
        target: { type: 'bot_hook', id: 'bot-hook' },
      });
      return { status: 200, body: { secret: doc.secret } };
    },
  });
}
