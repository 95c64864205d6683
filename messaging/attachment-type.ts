import { filetypeinfo } from 'magic-bytes.js';
import { allowedTypes, type AllowedType } from '../domain/attachments';

/**
 * What an upload is, read from its first bytes (magic numbers, by
 * magic-bytes.js), never from its name or the Content-Type the browser
 * guessed. Only types on the allow-list (domain/attachments.ts) come back.
 * (magic-bytes.js rather than file-type: file-type is ESM only, which this
 * CommonJS project's jest runtime cannot load on Node 20.)
 */

/** Enough of the head for every signature on the allow-list (WebM's DocType sits in the first 64). */
export const sniffBytes = 4_100;

const byMime = new Map(allowedTypes.map((type) => [type.mimeType, type]));

/** The allowed type the bytes prove, or undefined (unknown, or not allowed). */
export function detectType(head: Uint8Array, complete: boolean): AllowedType | undefined {
  const guesses = filetypeinfo(head);
  if (guesses.some((guess) => guess.typename === 'webm' || guess.typename === 'mkv')) {
    // One EBML signature for every Matroska file: WebM names itself in the DocType.
    return Buffer.from(head.subarray(0, 64)).includes('webm')
      ? byMime.get('video/webm')
      : undefined;
  }
  // The first guess is the most specific; a zip container is taken as a zip.
  const first = guesses[0];
  if (first) return first.mime === undefined ? undefined : byMime.get(first.mime);
  return isText(head, complete) ? byMime.get('text/plain') : undefined;
}

/** UTF-8 text without NUL bytes (a cut multi-byte character at the end of a partial head is fine). */
function isText(head: Uint8Array, complete: boolean): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(head, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}
