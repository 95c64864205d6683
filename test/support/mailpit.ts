import { z } from 'zod';
import { testStack } from './stack';

/**
 * The test stack's Mailpit, read through its HTTP API (server/apiv1 of
 * github.com/axllent/mailpit): what the engine's email channel sent.
 */

const address = z.object({ Name: z.string(), Address: z.string() });
const summary = z.object({
  ID: z.string(),
  MessageID: z.string(),
  From: address,
  To: z.array(address),
  ReplyTo: z.array(address).nullable(),
  Subject: z.string(),
});
export type MailSummary = z.infer<typeof summary>;
const message = summary.extend({ Text: z.string(), HTML: z.string() });

async function get(path: string): Promise<Response> {
  const response = await fetch(`${testStack.mailInbox}${path}`);
  if (!response.ok) throw new Error(`Mailpit ${path} answered ${response.status}`);
  return response;
}

/** Every mail sent to `to`, newest first. */
export async function mailsTo(to: string): Promise<MailSummary[]> {
  const query = encodeURIComponent(`to:"${to}"`);
  const body = z
    .object({ messages: z.array(summary) })
    .parse(await (await get(`/api/v1/search?query=${query}&limit=50`)).json());
  return body.messages.filter((m) => m.To.some((t) => t.Address === to));
}

/** One mail with its bodies. */
export async function mailById(id: string) {
  return message.parse(await (await get(`/api/v1/message/${id}`)).json());
}

/** One mail as it was received: headers and MIME body. */
export async function rawMail(id: string): Promise<string> {
  return (await get(`/api/v1/message/${id}/raw`)).text();
}

/** A header of a raw mail (unfolded), if present. */
export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/**
 * The shopper's answer to `raw`, as a mail client writes it: to the Reply-To,
 * threaded on the Message-ID, their text above the quoted mail.
 */
export function replyTo(raw: string, from: string, text: string, messageId: string): string {
  const to = headerOf(raw, 'Reply-To') ?? headerOf(raw, 'From') ?? '';
  const original = headerOf(raw, 'Message-ID') ?? '';
  const references = [headerOf(raw, 'References'), original].filter(Boolean).join(' ');
  const quoted = (headerOf(raw, 'Subject') ?? '')
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\r\n');
  return [
    `From: Shopper <${from}>`,
    `To: ${to}`,
    `Subject: Re: ${headerOf(raw, 'Subject') ?? ''}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${messageId}@mail.example.com>`,
    `In-Reply-To: ${original}`,
    `References: ${references}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    '',
    `On ${new Date().toUTCString()}, Shop <support@reception.localhost> wrote:`,
    quoted,
    '> an earlier line',
    '',
  ].join('\r\n');
}
