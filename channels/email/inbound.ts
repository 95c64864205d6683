import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { messageLimits } from '../../domain/message-send';
import { stripQuotedReply } from './quoted-reply';
import { threadsNamed, type ThreadRef } from './reply-token';

/**
 * The email channel's inbound, normalised: a raw MIME message (as a mail
 * provider's inbound webhook posts it) becomes the thread it answers, the
 * shopper's new text and an id that is the same for every delivery of the
 * mail. The thread is found from the reply token in the recipients (To, Cc,
 * and the envelope's Delivered-To / X-Original-To, where a forwarding
 * provider keeps the address it received for), else from the threading
 * headers (In-Reply-To, References) naming one of the engine's Message-IDs;
 * only tokens signed for the caller's tenant count (reply-token.ts).
 */

export interface InboundMail {
  /** The thread the mail answers; undefined when it names none of the tenant's. */
  thread: ThreadRef | undefined;
  /** Derived from the Message-ID (else from the bytes): a redelivered mail is the same message. */
  externalId: string;
  /** What the shopper wrote, without the quoted earlier mail; may be empty. */
  text: string;
  from: { address: string; name?: string };
}

export class InvalidMail extends Error {}

const recipientHeaders = new Set(['to', 'cc', 'delivered-to', 'x-original-to', 'envelope-to']);
const threadingHeaders = new Set(['in-reply-to', 'references']);

const digest = (value: string | Buffer) =>
  createHash('sha256').update(value).digest('hex').slice(0, 40);

/** Cut to what a chat message holds, on a character boundary. */
const fit = (text: string) =>
  [...text].length > messageLimits.textChars
    ? `${[...text].slice(0, messageLimits.textChars - 1).join('')}…`
    : text;

export async function readInboundMail(
  raw: Buffer,
  tokenSecret: string,
  tenantId: string,
): Promise<InboundMail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true }).catch(
    (error: unknown) => {
      throw new InvalidMail(`not a MIME message: ${String(error)}`);
    },
  );
  const sender = parsed.from?.value[0];
  if (!sender?.address) throw new InvalidMail('the mail has no From address');
  const headerText = (names: Set<string>) =>
    parsed.headerLines
      .filter((line) => names.has(line.key))
      .map((line) => line.line)
      .join('\n');
  const thread =
    threadsNamed(tokenSecret, tenantId, headerText(recipientHeaders))[0] ??
    threadsNamed(tokenSecret, tenantId, headerText(threadingHeaders))[0];
  const messageId = parsed.messageId?.trim();
  return {
    thread,
    externalId: `mail-${digest(messageId || raw)}`,
    text: fit(stripQuotedReply(parsed.text ?? '')),
    from: { address: sender.address, ...(sender.name ? { name: sender.name } : {}) },
  };
}
