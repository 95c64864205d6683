import type { Inbound, InboundShopper, InboundTarget } from '../../channels/channel';
import type { Channel, Entry } from '../../domain/session';
import { personMessageId, type ChatMessage } from '../../domain/message';
import type { ChatDeps } from '../../messaging/chat-deps';
import { Refusal } from '../../messaging/refusal';
import { sendMessage } from '../../messaging/send-message';
import { AppError, refusalError } from '../errors';
import { openSessionFor, openTenant, type StartSessionDeps } from './start-session';

export interface ReceiveInboundDeps {
  start: StartSessionDeps;
  chat: ChatDeps;
}

export interface Received {
  sessionId: string;
  visitorId: string;
  /** True when this message opened the session. */
  opened: boolean;
  message: ChatMessage;
  /** False when the channel sent a message id already stored: nothing changed. */
  created: boolean;
}

/**
 * Opens chat for a shopper a channel vouches for (its backend's key, a mail
 * the engine's own reply address received): their open session, or a new one.
 */
export async function openChannelSession(
  start: StartSessionDeps,
  tenantId: string,
  channel: Channel,
  { visitorId, name, email }: InboundShopper,
  entry: Entry,
) {
  return openSessionFor(
    start,
    tenantId,
    {
      visitorId,
      identity: 'verified',
      claims: {
        ...(name !== undefined ? { name } : {}),
        ...(email !== undefined ? { email } : {}),
      },
    },
    { channel, entry, ...(name !== undefined ? { nameHint: name } : {}) },
  );
}

/** The session the message goes to: the one named, or the shopper's open one (opened if none). */
async function sessionFor(
  deps: ReceiveInboundDeps,
  inbound: Inbound,
  to: InboundTarget,
): Promise<{ sessionId: string; visitorId: string; opened: boolean }> {
  const { tenantId } = inbound;
  if (to.kind === 'session') {
    const doc = await deps.chat.sessions.get(tenantId, to.sessionId);
    const visitorId =
      doc?.visitorId ?? (await deps.chat.sessions.openVisitor(tenantId, to.sessionId));
    if (!visitorId) throw new AppError(404, 'not_found', `No session ${to.sessionId}`);
    return { sessionId: to.sessionId, visitorId, opened: false };
  }
  const started = await openChannelSession(
    deps.start,
    tenantId,
    inbound.channel,
    to.shopper,
    to.entry,
  );
  return {
    sessionId: started.sessionId,
    visitorId: to.shopper.visitorId,
    opened: !started.attached,
  };
}

/**
 * Every channel's inbound after normalising (channels/channel.ts): open or
 * attach the session, then append the text as the shopper's message on the
 * same fast path as the widget's (stored, numbered, emitted, the workflow
 * told), idempotent by the channel's message id. A message for the shopper's
 * open session that closed meanwhile opens a new one, as a messaging app
 * does; a message for a named session that has closed is refused (409).
 */
export async function receiveInbound(
  deps: ReceiveInboundDeps,
  inbound: Inbound,
): Promise<Received> {
  await openTenant(deps.start, inbound.tenantId);
  for (let attempt = 0; ; attempt++) {
    const { sessionId, visitorId, opened } = await sessionFor(deps, inbound, inbound.to);
    try {
      const sent = await sendMessage(
        deps.chat,
        inbound.tenantId,
        { type: 'visitor', sessionId, visitorId },
        sessionId,
        { kind: 'text', clientMsgId: inbound.externalId, text: inbound.text },
      );
      // The follow-up (the workflow told, the agent's list) never rejects; the
      // caller need not wait for it, and a resend runs it again.
      void sent.followUp;
      return { sessionId, visitorId, opened, message: sent.message, created: sent.created };
    } catch (error) {
      const reopen =
        error instanceof Refusal &&
        error.code === 'session_closed' &&
        inbound.to.kind === 'shopper' &&
        attempt === 0;
      if (reopen) {
        // A resend of a message the closed session already has is that message, not a new chat.
        const stored = await deps.chat.messages.find(
          inbound.tenantId,
          sessionId,
          personMessageId({ type: 'visitor', id: visitorId }, inbound.externalId),
        );
        if (stored) return { sessionId, visitorId, opened, message: stored, created: false };
        continue;
      }
      if (error instanceof Refusal) throw refusalError(error);
      throw error;
    }
  }
}
