import {
  apiMessageSchema,
  apiOpenSchema,
  apiShopper,
  normaliseApiMessage,
} from '../../channels/api';
import { tenantOf } from '../auth/authenticate';
import type { endpoints } from '../http/endpoint';
import {
  openChannelSession,
  receiveInbound,
  type ReceiveInboundDeps,
} from '../use-cases/receive-inbound';
import { openTenant } from '../use-cases/start-session';
import { channelMessage, channelSession } from '../views';

const roles = ['integration', 'admin'] as const;

const apiChannelNote =
  'The API channel: a merchant’s backend speaks for shoppers of its own app with an integration key. Agent, robot and system messages come back as `message.created` events (webhooks or GET /api/v1/events); the shopper asks for a person, rates and closes through POST /api/v1/sessions/:sessionId/human, /rating and /close with the same key.';

/**
 * `/api/v1/channels/api`: the API channel's inbound (channels/api.ts
 * normalises, receive-inbound.ts opens or attaches and appends). The
 * session's lifecycle is the widget's: robot, queue, agent, close, rating.
 */
export function apiChannelRoutes(api: ReturnType<typeof endpoints>, deps: ReceiveInboundDeps) {
  api.add({
    method: 'post',
    path: '/api/v1/channels/api/sessions',
    tag: 'channels',
    summary: 'Open chat for a shopper of the merchant’s app, or attach to their open session',
    description: apiChannelNote,
    roles,
    body: apiOpenSchema,
    responses: {
      201: { description: 'A new session was started', schema: channelSession },
      200: { description: 'The shopper’s open session', schema: channelSession },
    },
    errors: { 403: '`tenant_suspended`: the tenant is suspended' },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      await openTenant(deps.start, tenantId);
      const shopper = apiShopper(body.shopper);
      const started = await openChannelSession(deps.start, tenantId, 'api', shopper, body.entry);
      return {
        status: started.attached ? 200 : 201,
        body: {
          sessionId: started.sessionId,
          visitorId: shopper.visitorId,
          opened: !started.attached,
        },
      };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/channels/api/messages',
    tag: 'channels',
    summary:
      'Relay a shopper’s message: to their open session, or a new one; idempotent by the merchant’s message id',
    description: apiChannelNote,
    roles,
    body: apiMessageSchema,
    responses: {
      201: { description: 'Stored and delivered', schema: channelMessage },
      200: {
        description: 'This message id was already stored: the stored message',
        schema: channelMessage,
      },
    },
    errors: {
      403: '`tenant_suspended`: the tenant is suspended',
      429: '`rate_limited`: the shopper’s send rate limit',
    },
    async handle({ body, principal }) {
      const received = await receiveInbound(deps, normaliseApiMessage(tenantOf(principal), body));
      const { created, ...view } = received;
      return { status: created ? 201 : 200, body: view };
    },
  });
}
