import { z } from 'zod';

/**
 * Uploaded attachments: what may be uploaded, how big, and how a file name
 * is made safe. The type of an upload is read from its bytes (magic numbers,
 * messaging/attachment-type.ts), never from its name or the browser's word;
 * the name must then agree with what the bytes are, so a PNG renamed
 * `.pdf` is refused rather than stored under a name that lies.
 *
 * The allow-list, one entry per type the bytes can prove:
 *
 *   kind   type                      extensions the name may have
 *   image  image/png                 png
 *   image  image/jpeg                jpg jpeg
 *   image  image/gif                 gif
 *   image  image/webp                webp
 *   video  video/mp4                 mp4 m4v
 *   video  video/webm                webm
 *   file   application/pdf           pdf
 *   file   application/zip           zip (and docx xlsx pptx odt ods, which are zip containers)
 *   file   text/plain                txt csv log (no magic number: UTF-8 text without NUL bytes)
 *
 * Everything else (executables, HTML, SVG — which is script by another
 * name — archives other than zip) is refused with 415.
 */

export const attachmentKinds = ['image', 'video', 'file'] as const;
export type AttachmentKind = (typeof attachmentKinds)[number];

export interface AllowedType {
  kind: AttachmentKind;
  mimeType: string;
  /** Lower case, without the dot; the first is the one a name without an extension gets. */
  extensions: readonly string[];
}

export const allowedTypes: readonly AllowedType[] = [
  { kind: 'image', mimeType: 'image/png', extensions: ['png'] },
  { kind: 'image', mimeType: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  { kind: 'image', mimeType: 'image/gif', extensions: ['gif'] },
  { kind: 'image', mimeType: 'image/webp', extensions: ['webp'] },
  { kind: 'video', mimeType: 'video/mp4', extensions: ['mp4', 'm4v'] },
  { kind: 'video', mimeType: 'video/webm', extensions: ['webm'] },
  { kind: 'file', mimeType: 'application/pdf', extensions: ['pdf'] },
  {
    kind: 'file',
    mimeType: 'application/zip',
    extensions: ['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods'],
  },
  { kind: 'file', mimeType: 'text/plain', extensions: ['txt', 'csv', 'log'] },
];

/** Default size limits per kind, in bytes (ATTACHMENT_MAX_*_BYTES override them). */
export const defaultAttachmentLimits: Record<AttachmentKind, number> = {
  image: 10 * 1024 * 1024,
  video: 50 * 1024 * 1024,
  file: 20 * 1024 * 1024,
};

/** The extension of a file name, lower case, without the dot ('' when it has none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** What a file name may not carry into a header or a file system, besides control characters. */
const refused = new Set(['"', '\\', '<', '>', '|', '*', '?', ':']);

/**
 * A name that is safe to show and to put in Content-Disposition: no path,
 * no control characters, no quotes or backslashes, at most 200 characters
 * (the extension kept).
 */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // Control characters and the characters file systems and headers refuse become '_'.
  const cleaned = [...base]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || refused.has(c) ? '_' : c))
    .join('')
    .trim();
  if (cleaned.length <= 200) return cleaned;
  const ext = extensionOf(cleaned);
  return ext && ext.length < 20
    ? `${cleaned.slice(0, 199 - ext.length)}.${ext}`
    : cleaned.slice(0, 200);
}

/** The upload's query: which kind the sender means and the file's name. */
export const uploadQuerySchema = z.strictObject({
  kind: z.enum(attachmentKinds).meta({ description: 'What the sender means to send' }),
  name: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((value) => safeFileName(value).replace(/^[._]+$/, '').length > 0, {
      message: 'must name a file',
    })
    .meta({
      description:
        'The file’s name; its extension must agree with the bytes (stored made safe: no path, no control characters)',
    }),
});

/** An attachment as the API and messages show it (links are signed and expire). */
export interface AttachmentView {
  id: string;
  kind: AttachmentKind;
  name: string;
  size: number;
  mimeType: string;
  width?: number;
  height?: number;
  url: string;
  thumbnailUrl?: string;
  /** When `url` and `thumbnailUrl` stop working (ISO time); ask for fresh ones after. */
  expiresAt: string;
}
