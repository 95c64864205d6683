import type { Attachment, ChatMessage } from '../../domain/message';
import type { LinkSigner } from '../../messaging/attachment-links';
import { replyAddress, replyToken, type ThreadRef } from './reply-token';

/**
 * What the engine's mails look like: the agent's lines (or a ticket's
 * answer) as plain text and as simple HTML, from the shop's name, with the
 * reply address and threading headers of their conversation (reply-token.ts).
 * Pure: the SMTP side is outbound.ts.
 */

export interface MailSettings {
  /** MAIL_FROM: the address; the shop's name becomes its display name. */
  from: string;
  /** MAIL_REPLY_DOMAIN. */
  replyDomain: string;
  /** TOKEN_SECRET: signs the reply tokens. */
  tokenSecret: string;
  /**
   * PUBLIC_URL and the attachment link signer: an uploaded attachment is
   * mailed as an absolute link signed when the mail is made (a message's
   * own link is a path, and may have expired). Absent: named without a link.
   */
  attachmentLinks?: { publicUrl: string; signer: LinkSigner };
}

export interface Mail {
  from: { name: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references?: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Links clickable: the URLs in already escaped text become anchors. */
const linkify = (escaped: string) =>
  escaped.replace(/https?:\/\/[^\s<]+/g, (href) => `<a href="${href}">${href}</a>`);

const htmlParagraphs = (text: string) =>
  `<p style="margin:0 0 12px;white-space:pre-wrap">${linkify(escapeHtml(text))}</p>`;

const htmlMail = (lines: string[], footer: string) =>
  [
    '<!doctype html><html><body style="font-family:sans-serif;font-size:15px;line-height:1.5">',
    ...lines.map(htmlParagraphs),
    `<p style="margin-top:24px;color:#777;font-size:13px">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');

/** Where an inbox can open the attachment: the sender's own link, or a fresh absolute signed one. */
function attachmentUrl(
  settings: MailSettings,
  message: ChatMessage,
  attachment: Attachment,
): string | undefined {
  if (attachment.id === undefined) return attachment.url;
  const links = settings.attachmentLinks;
  if (!links) return undefined;
  const ref = {
    tenantId: message.tenantId,
    sessionId: message.sessionId,
    attachmentId: attachment.id,
  };
  // The path is appended (not resolved), so a PUBLIC_URL with a path prefix keeps it.
  return `${links.publicUrl.replace(/\/+$/, '')}${links.signer.sign(ref, 'original').url}`;
}

/** A line as the mail shows it: an attachment (image, video, file) or card by its name and link. */
function lineOf(settings: MailSettings, message: ChatMessage): string {
  const caption = message.text.trim();
  if (message.attachment) {
    const { name } = message.attachment;
    const url = attachmentUrl(settings, message, message.attachment);
    const line = url ? `${name}: ${url}` : `${name} (open the chat to see it)`;
    return [caption, line].filter(Boolean).join('\n');
  }
  if (message.card) {
    const { title, url, price } = message.card;
    return [caption, [title, price, url].filter(Boolean).join(' · ')].filter(Boolean).join('\n');
  }
  return caption;
}

/** The thread's own id: every mail of one conversation refers to it, so clients keep them together. */
const threadRoot = (token: string, domain: string) => `<${token}@${domain}>`;

function threading(settings: MailSettings, tenantId: string, ref: ThreadRef, suffix: string) {
  const token = replyToken(settings.tokenSecret, tenantId, ref);
  const domain = settings.replyDomain;
  if (!token) {
    // An id that cannot carry a token (not a session's UUID): the mail goes out without a way back.
    return { messageId: `<${ref.kind}.${ref.sessionId}.${suffix}@${domain}>` };
  }
  const root = threadRoot(token, domain);
  return {
    messageId: `<${token}.${suffix}@${domain}>`,
    replyTo: replyAddress(token, domain),
    inReplyTo: root,
    references: root,
  };
}

/** One mail with the agent's lines `lines` (seq order) of the session. */
export function agentLinesMail(
  settings: MailSettings,
  shop: { tenantId: string; name: string },
  to: string,
  sessionId: string,
  lines: readonly ChatMessage[],
): Mail {
  const first = lines[0]?.seq ?? 0;
  const last = lines.at(-1)?.seq ?? first;
  const texts = lines.map((line) => lineOf(settings, line)).filter(Boolean);
  const footer = `You are getting this because you were not on ${shop.name}’s chat when these replies came. Answer this mail to reply in the same conversation.`;
  return {
    from: { name: shop.name, address: settings.from },
    to,
    subject: `Your conversation with ${shop.name}`,
    // The range of lines makes the id: sending the same batch again is the same mail.
    ...threading(settings, shop.tenantId, { kind: 'session', sessionId }, `${first}-${last}`),
    text: `${texts.join('\n\n')}\n\n-- \n${footer}\n`,
    html: htmlMail(texts, footer),
  };
}

/** The mail that tells a shopper their left message was answered. */
export function ticketAnswerMail(
  settings: MailSettings,
  shop: { tenantId: string; name: string },
  to: string,
  ticket: { sessionId: string; content: string; resolution: string; resolvedAt: string },
): Mail {
  const quoted = ticket.content
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  const footer = `Answer this mail if you need more help; ${shop.name} will see it on your message.`;
  const suffix = `answer-${Date.parse(ticket.resolvedAt) || 0}`;
  return {
    from: { name: shop.name, address: settings.from },
    to,
    subject: `Re: your message to ${shop.name}`,
    ...threading(settings, shop.tenantId, { kind: 'ticket', sessionId: ticket.sessionId }, suffix),
    text: [ticket.resolution, '', 'You wrote:', quoted, '', `-- \n${footer}`].join('\n'),
    html: htmlMail([ticket.resolution, `You wrote:\n${ticket.content}`], footer),
  };
}
