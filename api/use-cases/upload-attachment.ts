import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  extensionOf,
  safeFileName,
  type AllowedType,
  type AttachmentKind,
  type AttachmentView,
} from '../../domain/attachments';
import { writeRefusal } from '../../domain/session-access';
import { attachmentView, type LinkSigner } from '../../messaging/attachment-links';
import { imageFacts } from '../../messaging/attachment-thumbnail';
import { detectType, sniffBytes } from '../../messaging/attachment-type';
import { Refusal } from '../../messaging/refusal';
import type { Speaker } from '../../messaging/send-message';
import { sessionFacts } from '../../messaging/session-access';
import type { BlobStore, BlobWriter } from '../../stores/attachment-blobs';
import type { AttachmentStore } from '../../stores/attachments';
import type { AttachmentDoc } from '../../stores/collections';
import type { SessionStore } from '../../stores/sessions';
import { AppError, refusalError } from '../errors';

export interface UploadDeps {
  sessions: SessionStore;
  attachments: AttachmentStore;
  blobs: BlobStore;
  links: LinkSigner;
  /** Largest upload per kind, in bytes. */
  limits: Record<AttachmentKind, number>;
}

export interface UploadInput {
  kind: AttachmentKind;
  name: string;
  /** Content-Length, when the client announced one. */
  announcedBytes: number | undefined;
}

const tooLarge = (kind: AttachmentKind, limit: number) =>
  new AppError(
    413,
    'payload_too_large',
    `An upload of kind ${kind} may be at most ${limit} bytes`,
    {
      fields: [{ path: '(body)', message: `must be at most ${limit} bytes for kind ${kind}` }],
      kind,
      limitBytes: limit,
    },
  );

/**
 * An upload from one of the session's participants, before the message
 * that carries it: checked, typed by its bytes, stored, and answered with
 * its id (which the message then names) and signed links.
 *
 * The story: a body announced over the kind's limit is refused before a
 * byte is read. The head decides the type; a type off the allow-list (415),
 * of another kind than the sender meant, or whose name's extension says
 * otherwise (422 `type_mismatch`) is refused before anything is read from
 * or written to any store. Then the sender must be able to write to the
 * session now (the same rule as sending a message). The rest streams into
 * the blob store under a byte count; over the limit, the partial object is
 * aborted (nothing stays) and 413 names the limit. Images are held in memory (their limit is small) to be decoded for
 * their size and thumbnail before anything is stored. The record is written
 * last: a record always has its bytes, and a failure before it leaves none.
 */
export async function uploadAttachment(
  deps: UploadDeps,
  tenantId: string,
  speaker: Speaker,
  sessionId: string,
  input: UploadInput,
  body: Readable,
): Promise<AttachmentView> {
  const { kind } = input;
  const limit = deps.limits[kind];
  if (input.announcedBytes !== undefined && input.announcedBytes > limit) {
    throw tooLarge(kind, limit);
  }
  // Not destroyed when left early: the route then drains the rest, so the client reads the refusal.
  const chunks: AsyncIterator<Buffer> = body.iterator({ destroyOnReturn: false });
  try {
    const head = await readHead(chunks);
    if (head.bytes.length === 0) {
      throw new AppError(400, 'body_required', 'The upload is empty', {
        fields: [{ path: '(body)', message: 'required' }],
      });
    }
    const type = checkedType(head.bytes, head.done, input);
    // Only now the session: a refusal of the bytes reads and writes nothing anywhere.
    const viewer =
      speaker.type === 'visitor'
        ? { type: 'visitor' as const, sessionId: speaker.sessionId }
        : speaker;
    try {
      const facts = await sessionFacts(deps.sessions, tenantId, viewer, sessionId);
      const refusal = writeRefusal(viewer, facts);
      if (refusal === 'session_closed') {
        throw new Refusal('session_closed', `session ${sessionId} is ${facts.phase}`);
      }
      if (refusal) throw new Refusal('forbidden', `session ${sessionId} is not assigned to you`);
    } catch (error) {
      throw error instanceof Refusal ? refusalError(error) : error;
    }

    const name = safeFileName(input.name);
    const attachmentId = randomUUID();
    const key = { tenantId, sessionId, name: attachmentId };

    let stored: Pick<AttachmentDoc, 'size' | 'width' | 'height' | 'thumbnail'>;
    if (type.kind === 'image') {
      const bytes = await readAll(head, chunks, kind, limit);
      const image = await imageFacts(bytes);
      if (!image) {
        throw new AppError(422, 'unreadable_image', `The ${type.mimeType} does not decode`, {
          fields: [{ path: '(body)', message: `not a readable ${type.mimeType}` }],
        });
      }
      const { thumbnail } = image;
      await storeWhole(deps.blobs.create(key, type.mimeType), bytes);
      const thumbKey = { ...key, name: `${attachmentId}.thumb` };
      try {
        await storeWhole(deps.blobs.create(thumbKey, thumbnail.mimeType), thumbnail.bytes);
      } catch (error) {
        await deps.blobs.removeObject(key);
        throw error;
      }
      stored = {
        size: bytes.length,
        width: image.width,
        height: image.height,
        thumbnail: {
          mimeType: thumbnail.mimeType,
          size: thumbnail.bytes.length,
          width: thumbnail.width,
          height: thumbnail.height,
        },
      };
    } else {
      const size = await streamInto(
        deps.blobs.create(key, type.mimeType),
        head,
        chunks,
        kind,
        limit,
      );
      stored = { size };
    }

    const doc: Omit<AttachmentDoc, '_id'> = {
      tenantId,
      sessionId,
      attachmentId,
      kind: type.kind,
      mimeType: type.mimeType,
      name,
      ...stored,
      uploadedBy:
        speaker.type === 'visitor'
          ? { type: 'visitor', id: speaker.visitorId }
          : { type: 'agent', id: speaker.agentId },
      createdAt: new Date(),
    };
    try {
      await deps.attachments.insert(doc);
    } catch (error) {
      await deps.blobs.removeObject(key);
      await deps.blobs.removeObject({ ...key, name: `${attachmentId}.thumb` });
      throw error;
    }
    return attachmentView(deps.links, doc);
  } finally {
    await chunks.return?.();
  }
}

/** The type the bytes prove, agreeing with what the sender meant and the name, or a refusal. */
function checkedType(head: Buffer, complete: boolean, input: UploadInput): AllowedType {
  const type = detectType(head, complete);
  if (!type) {
    throw new AppError(
      415,
      'unsupported_type',
      'The file is not of an accepted type (images: png, jpeg, gif, webp; videos: mp4, webm; files: pdf, zip, plain text)',
      { fields: [{ path: '(body)', message: 'not an accepted type' }] },
    );
  }
  if (type.kind !== input.kind) {
    throw new AppError(
      422,
      'type_mismatch',
      `The bytes are ${type.mimeType}, not a ${input.kind}`,
      { fields: [{ path: 'kind', message: `the file is a ${type.kind} (${type.mimeType})` }] },
    );
  }
  const extension = extensionOf(input.name);
  if (!type.extensions.includes(extension)) {
    throw new AppError(
      422,
      'type_mismatch',
      `The bytes are ${type.mimeType}, which the name’s extension “.${extension}” does not match`,
      {
        fields: [
          {
            path: 'name',
            message: `must end in .${type.extensions.join(', .')} for ${type.mimeType}`,
          },
        ],
      },
    );
  }
  return type;
}

interface Head {
  bytes: Buffer;
  /** True when the body ended within the head. */
  done: boolean;
}

async function readHead(chunks: AsyncIterator<Buffer>): Promise<Head> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < sniffBytes) {
    const next = await chunks.next();
    if (next.done) return { bytes: Buffer.concat(parts), done: true };
    parts.push(next.value);
    length += next.value.length;
  }
  return { bytes: Buffer.concat(parts), done: false };
}

/** The whole body in memory, refused once it passes `limit`. */
async function readAll(
  head: Head,
  chunks: AsyncIterator<Buffer>,
  kind: AttachmentKind,
  limit: number,
): Promise<Buffer> {
  const parts = [head.bytes];
  let length = head.bytes.length;
  if (length > limit) throw tooLarge(kind, limit);
  if (head.done) return head.bytes;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    length += next.value.length;
    if (length > limit) throw tooLarge(kind, limit);
    parts.push(next.value);
  }
  return Buffer.concat(parts);
}

async function storeWhole(writer: BlobWriter, bytes: Buffer): Promise<void> {
  try {
    await writer.write(bytes);
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Streams the body into `writer`; over `limit` (or on any failure) the object is aborted. */
async function streamInto(
  writer: BlobWriter,
  head: Head,
  chunks: AsyncIterator<Buffer>,
  kind: AttachmentKind,
  limit: number,
): Promise<number> {
  let length = 0;
  try {
    const take = async (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) throw tooLarge(kind, limit);
      await writer.write(chunk);
    };
    await take(head.bytes);
    if (!head.done) {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        await take(next.value);
      }
    }
    await writer.finish();
    return length;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
