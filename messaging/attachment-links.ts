import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AttachmentView } from '../domain/attachments';
import type { Attachment } from '../domain/message';
import type { AttachmentDoc } from '../stores/collections';

/**
 * Attachment links: a path that names the tenant, session and attachment,
 * with an expiry and an HMAC-SHA256 signature over all of them and the
 * variant (the original or its thumbnail). Whoever holds the link may fetch
 * that one object until it expires, which is how an `<img>` or `<video>` in
 * the widget or the console loads it without sending a token. Links are
 * given to the session's participants only (in the messages they read and
 * in the answers of the upload and link routes).
 */

export const attachmentVariants = ['original', 'thumbnail'] as const;
export type AttachmentVariant = (typeof attachmentVariants)[number];

export interface AttachmentRef {
  tenantId: string;
  sessionId: string;
  attachmentId: string;
}

export interface LinkSigner {
  /** The signed path (relative to the API's origin) and its expiry. */
  sign(
    ref: AttachmentRef,
    variant: AttachmentVariant,
    now?: Date,
  ): { url: string; expiresAt: Date };
  verify(
    ref: AttachmentRef,
    variant: AttachmentVariant,
    expires: number,
    signature: string,
    now?: Date,
  ): 'valid' | 'expired' | 'invalid';
}

/** The key: ATTACHMENT_LINK_SECRET, else one derived from TOKEN_SECRET (never the token key itself). */
export function linkKey(tokenSecret: string, linkSecret: string | undefined): string {
  return linkSecret ?? createHmac('sha256', tokenSecret).update('attachment-links').digest('hex');
}

export function linkSigner(key: string, ttlSeconds: number): LinkSigner {
  const mac = (ref: AttachmentRef, variant: AttachmentVariant, expires: number) =>
    createHmac('sha256', key)
      .update([ref.tenantId, ref.sessionId, ref.attachmentId, variant, String(expires)].join('\n'))
      .digest('base64url');
  const path = (ref: AttachmentRef) =>
    `/api/v1/attachments/${[ref.tenantId, ref.sessionId, ref.attachmentId].map(encodeURIComponent).join('/')}`;
  return {
    sign(ref, variant, now = new Date()) {
      const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
      const query = new URLSearchParams({
        ...(variant === 'thumbnail' ? { variant } : {}),
        expires: String(expires),
        signature: mac(ref, variant, expires),
      });
      return { url: `${path(ref)}?${query.toString()}`, expiresAt: new Date(expires * 1000) };
    },
    verify(ref, variant, expires, signature, now = new Date()) {
      const expected = Buffer.from(mac(ref, variant, expires));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
      return expires * 1000 <= now.getTime() ? 'expired' : 'valid';
    },
  };
}

/** An attachment as its participants see it, with fresh links. */
export function attachmentView(
  signer: LinkSigner,
  doc: Omit<AttachmentDoc, '_id'>,
  now = new Date(),
): AttachmentView {
  return { ...messageAttachment(signer, doc, now), id: doc.attachmentId, kind: doc.kind };
}

/** The attachment a message carries: what it is, and links signed `now`. */
export function messageAttachment(
  signer: LinkSigner,
  doc: Omit<AttachmentDoc, '_id'>,
  now = new Date(),
): Attachment & { expiresAt: string } {
  const original = signer.sign(doc, 'original', now);
  return {
    id: doc.attachmentId,
    name: doc.name,
    size: doc.size,
    mimeType: doc.mimeType,
    ...(doc.width === undefined ? {} : { width: doc.width }),
    ...(doc.height === undefined ? {} : { height: doc.height }),
    url: original.url,
    ...(doc.thumbnail ? { thumbnailUrl: signer.sign(doc, 'thumbnail', now).url } : {}),
    expiresAt: original.expiresAt.toISOString(),
  };
}
