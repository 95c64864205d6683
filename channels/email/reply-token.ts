import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The reference a mail carries back to its conversation. Every mail the
 * engine sends has the Reply-To `reply+<token>@<MAIL_REPLY_DOMAIN>` and a
 * Message-ID that starts with the same token, so a reply names what it
 * answers twice over: in its recipients (To, Cc, Delivered-To) and in its
 * threading headers (In-Reply-To, References), which mail clients keep even
 * when they drop the Reply-To.
 *
 * A token is `<kind>.<session id>.<mac>`: kind `s` for a chat session, `t`
 * for the leave-message ticket of that session (tickets are keyed by their
 * session). The mac is an HMAC over the tenant, kind and id with a key
 * derived from TOKEN_SECRET, cut to 64 bits: nobody can make a token for a
 * session, and a token made for one tenant is refused by another tenant's
 * inbound, whose key names a different tenant. The token is all lower case
 * and at most 57 characters, so `reply+<token>` fits an address's 64-character
 * local part and survives providers that lower-case addresses.
 */

export type ThreadKind = 'session' | 'ticket';

export interface ThreadRef {
  kind: ThreadKind;
  sessionId: string;
}

const kindLetter: Record<ThreadKind, string> = { session: 's', ticket: 't' };
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const tokenPattern = new RegExp(`([st])\\.(${uuid})\\.([0-9a-f]{16})`, 'g');
const isUuid = (id: string) => new RegExp(`^${uuid}$`).test(id);

const macOf = (secret: string, tenantId: string, ref: ThreadRef): string => {
  // A key of its own, so a reply token never verifies as another kind of signed value.
  const key = createHmac('sha256', secret).update('email-reply-token/v1').digest();
  return createHmac('sha256', key)
    .update(`${tenantId}\n${kindLetter[ref.kind]}\n${ref.sessionId}`)
    .digest('hex')
    .slice(0, 16);
};

/** The token of a session or ticket; undefined for an id that is not a session's UUID. */
export function replyToken(secret: string, tenantId: string, ref: ThreadRef): string | undefined {
  const sessionId = ref.sessionId.toLowerCase();
  if (!isUuid(sessionId)) return undefined;
  return `${kindLetter[ref.kind]}.${sessionId}.${macOf(secret, tenantId, { ...ref, sessionId })}`;
}

export const replyAddress = (token: string, domain: string) => `reply+${token}@${domain}`;

/**
 * The threads `text` (addresses or Message-IDs, as they appear in headers)
 * names with a token valid for `tenantId`, in order of appearance. Forged
 * tokens and other tenants' tokens are left out.
 */
export function threadsNamed(secret: string, tenantId: string, text: string): ThreadRef[] {
  const found: ThreadRef[] = [];
  for (const match of text.toLowerCase().matchAll(tokenPattern)) {
    const [, letter, sessionId = '', mac = ''] = match;
    const ref: ThreadRef = { kind: letter === 't' ? 'ticket' : 'session', sessionId };
    const expected = Buffer.from(macOf(secret, tenantId, ref));
    if (timingSafeEqual(expected, Buffer.from(mac))) found.push(ref);
  }
  return found;
}
