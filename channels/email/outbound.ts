import { createTransport, type Transporter } from 'nodemailer';
import type { OutboundChannel, OutboundTarget } from '../channel';
import type { ChatMessage } from '../../domain/message';
import { agentLinesMail, type Mail, type MailSettings } from './compose';

/**
 * The email channel's outbound side: SMTP through nodemailer. `deliver`
 * sends one mail with the lines it is given (the worker's batch, see
 * workers/email-delivery.ts, decides which and when); `send` sends any
 * composed mail (a ticket's answer).
 */

export interface EmailOutbound extends OutboundChannel {
  send: (mail: Mail) => Promise<void>;
  close: () => void;
}

/** A refusal that sending again will not change (a 5xx SMTP answer: no such mailbox, rejected). */
export const isPermanentMailError = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  'responseCode' in error &&
  typeof error.responseCode === 'number' &&
  error.responseCode >= 500;

export function emailOutbound(
  smtpUrl: string,
  settings: MailSettings,
  shopName: (tenantId: string) => Promise<string>,
): EmailOutbound {
  const transport: Transporter = createTransport(smtpUrl);
  const send = async (mail: Mail) => {
    await transport.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      messageId: mail.messageId,
      text: mail.text,
      html: mail.html,
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
      ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
      ...(mail.references ? { references: mail.references } : {}),
    });
  };
  return {
    channel: 'email',
    send,
    async deliver(target: OutboundTarget, messages: readonly ChatMessage[]) {
      if (!target.email || messages.length === 0) return;
      const { tenantId, _id: sessionId } = target.session;
      const shop = { tenantId, name: await shopName(tenantId) };
      await send(agentLinesMail(settings, shop, target.email, sessionId, messages));
    },
    close: () => transport.close(),
  };
}
