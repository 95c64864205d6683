import type { Client } from '@temporalio/client';
import { InvalidMail, readInboundMail } from '../../channels/email/inbound';
import type { Inbound } from '../../channels/channel';
import { endedPhases, sessionWorkflowId } from '../../domain/session';
import type { Logger } from '../../runtime/logger';
import type { TicketDoc } from '../../stores/collections';
import type { TicketStore } from '../../stores/tickets';
import { requestHumanUpdate } from '../../workflows/contract';
import { AppError } from '../errors';
import { receiveInbound, type Received, type ReceiveInboundDeps } from './receive-inbound';

export interface ReceiveEmailDeps extends ReceiveInboundDeps {
  tickets: Pick<TicketStore, 'get' | 'reply'>;
  temporal: Client;
  tokenSecret: string;
  log: Logger;
}

export type ReceivedEmail =
  { kind: 'session'; received: Received } | { kind: 'ticket'; ticket: TicketDoc; created: boolean };

/**
 * A shopper's reply by mail (channels/email/inbound.ts reads it), delivered
 * to what it answers:
 *
 * - a chat session that is still open: the text is the shopper's next
 *   message there, as if typed in the widget;
 * - a chat session that has closed: a new session for the same shopper on
 *   channel `email` (or the one they have open), with the reply as its first
 *   message, as Chatwoot and Zendesk open a new conversation for a reply to
 *   a resolved one. A new email session asks for a person at once: a mail
 *   shopper cannot tap the robot's choices;
 * - a leave-message ticket: the reply is appended to the ticket, and a
 *   resolved ticket reopens (`ticket.replied`).
 *
 * Idempotent by the mail's Message-ID. Nothing is written for a mail that is
 * not one (400), names no thread of the caller's tenant (404) or says
 * nothing new (422).
 */
export async function receiveEmail(
  deps: ReceiveEmailDeps,
  tenantId: string,
  raw: Buffer,
): Promise<ReceivedEmail> {
  const mail = await readInboundMail(raw, deps.tokenSecret, tenantId).catch((error: unknown) => {
    if (error instanceof InvalidMail) {
      throw new AppError(400, 'invalid_mail', `The body is not a mail: ${error.message}`, {
        fields: [{ path: '(body)', message: error.message }],
      });
    }
    throw error;
  });
  const { thread } = mail;
  if (!thread) {
    throw new AppError(
      404,
      'thread_not_found',
      'The mail answers none of this tenant’s conversations: no valid reply address or Message-ID in To, Cc, Delivered-To, In-Reply-To or References',
    );
  }
  if (mail.text === '') {
    throw new AppError(
      422,
      'empty_reply',
      'The mail has no text of its own besides what it quotes',
    );
  }

  if (thread.kind === 'ticket') {
    const ticketId = `ticket-${thread.sessionId}`;
    const replied = await deps.tickets.reply(tenantId, ticketId, {
      externalId: mail.externalId,
      text: mail.text,
      at: new Date(),
    });
    if (!replied) throw new AppError(404, 'thread_not_found', `No ticket ${ticketId}`);
    return { kind: 'ticket', ...replied };
  }

  const { sessionId } = thread;
  const session = await deps.chat.sessions.get(tenantId, sessionId);
  const visitorId =
    session?.visitorId ?? (await deps.chat.sessions.openVisitor(tenantId, sessionId));
  if (!visitorId) throw new AppError(404, 'thread_not_found', `No session ${sessionId}`);
  const base = {
    tenantId,
    channel: 'email' as const,
    externalId: mail.externalId,
    text: mail.text,
  };
  const toShopper: Inbound = {
    ...base,
    to: { kind: 'shopper', shopper: { visitorId }, entry: session?.entry ?? { type: 'shop' } },
  };
  if (session && endedPhases.includes(session.phase)) {
    return { kind: 'session', received: await openedByMail(deps, toShopper) };
  }
  try {
    const received = await receiveInbound(deps, { ...base, to: { kind: 'session', sessionId } });
    return { kind: 'session', received };
  } catch (error) {
    // It closed between the look and the append.
    if (error instanceof AppError && error.code === 'session_closed') {
      return { kind: 'session', received: await openedByMail(deps, toShopper) };
    }
    throw error;
  }
}

async function openedByMail(deps: ReceiveEmailDeps, inbound: Inbound): Promise<Received> {
  const received = await receiveInbound(deps, inbound);
  if (received.opened) {
    // Told once per session (the update id); a session past the robot refuses, which is fine.
    await deps.temporal.workflow
      .getHandle(sessionWorkflowId(inbound.tenantId, received.sessionId))
      .executeUpdate(requestHumanUpdate, {
        args: [],
        updateId: `email-human-${received.sessionId}`,
      })
      .catch((error: unknown) =>
        deps.log.info('a session opened by mail did not take the request for a person', {
          sessionId: received.sessionId,
          error: String(error),
        }),
      );
  }
  return received;
}
