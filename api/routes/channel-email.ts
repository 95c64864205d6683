import { tenantOf } from '../auth/authenticate';
import type { endpoints } from '../http/endpoint';
import { receiveEmail, type ReceiveEmailDeps } from '../use-cases/receive-email';
import { emailInboundResult, toTicketView } from '../views';

const note = [
  'The email channel’s inbound: point a mail provider’s inbound webhook (Mailgun, Postmark, SendGrid, Amazon SES through a small relay…) for MAIL_REPLY_DOMAIN here, with an integration key, posting each mail as it arrived (`Content-Type: message/rfc822`, the raw MIME, at most 10 MB).',
  'The mail is matched to what it answers by the reply address `reply+<token>@MAIL_REPLY_DOMAIN` in To, Cc or Delivered-To, else by In-Reply-To/References naming one of the engine’s Message-IDs; the quoted earlier mail is dropped. A reply to an open session is the shopper’s next message there; to a closed one, it opens a new session on channel `email` that asks for a person; to a leave-message ticket, it is appended to the ticket (a resolved ticket reopens; `ticket.replied`).',
  'Idempotent by the mail’s Message-ID: a provider’s redelivery answers 200 with what the first delivery made.',
].join('\n\n');

/** `/api/v1/channels/email`: shoppers' replies by mail (channels/email/inbound.ts reads them). */
export function emailChannelRoutes(api: ReturnType<typeof endpoints>, deps: ReceiveEmailDeps) {
  api.add({
    method: 'post',
    path: '/api/v1/channels/email/inbound',
    tag: 'channels',
    summary:
      'Take in a shopper’s reply by mail (a raw MIME message from a mail provider’s webhook)',
    description: note,
    roles: ['integration', 'admin'],
    rawBody: {
      mediaType: 'message/rfc822',
      limit: '10mb',
      description: 'The mail as received: headers and body, MIME encoded (RFC 5322)',
    },
    responses: {
      201: { description: 'The reply was stored', schema: emailInboundResult },
      200: {
        description: 'This mail was taken in before: what it made',
        schema: emailInboundResult,
      },
    },
    errors: {
      400: '`invalid_mail`: the body is not a mail (no From address, unreadable MIME)',
      403: '`tenant_suspended`: the tenant is suspended',
      404: '`thread_not_found`: the mail answers none of this tenant’s sessions or tickets (no valid reply token)',
      409: '`session_closed`: the session closed and the shopper’s new one could not take the reply',
      422: '`empty_reply`: the mail only quotes the earlier one',
      429: '`rate_limited`: the shopper’s send rate limit',
    },
    async handle({ raw, principal }) {
      const result = await receiveEmail(deps, tenantOf(principal), raw);
      if (result.kind === 'ticket') {
        return {
          status: result.created ? 201 : 200,
          body: { thread: 'ticket', ticket: toTicketView(result.ticket) },
        };
      }
      const { created, ...view } = result.received;
      return { status: created ? 201 : 200, body: { thread: 'session', ...view } };
    },
  });
}
