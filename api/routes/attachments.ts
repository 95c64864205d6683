import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Principal } from '../../domain/access';
import { uploadQuerySchema } from '../../domain/attachments';
import { opaqueId } from '../../domain/session';
import {
  attachmentVariants,
  attachmentView,
  type LinkSigner,
} from '../../messaging/attachment-links';
import { Refusal } from '../../messaging/refusal';
import type { Speaker } from '../../messaging/send-message';
import { readableSession } from '../../messaging/session-access';
import type { BlobStore } from '../../stores/attachment-blobs';
import type { AttachmentStore } from '../../stores/attachments';
import type { SessionStore } from '../../stores/sessions';
import { AppError, refusalError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { decimalInteger } from '../http/schemas';
import { uploadAttachment, type UploadDeps } from '../use-cases/upload-attachment';
import { attachmentInfo } from '../views';

export interface AttachmentRouteDeps extends UploadDeps {
  sessions: SessionStore;
  attachments: AttachmentStore;
  blobs: BlobStore;
  links: LinkSigner;
}

const uploadNote = [
  'The first half of sending an image, a video or a file: upload the bytes here (`Content-Type: application/octet-stream`, the file as it is), then send a message of the same kind that names the answer’s `id` as `attachmentId` (socket `message:send`). A shopper uploads to their own session; an agent to a session assigned to them.',
  'The type is read from the bytes (magic numbers), never from the name: the allow-list is images png, jpeg, gif, webp; videos mp4, webm; files pdf, zip (docx, xlsx… are zips), plain UTF-8 text. The `kind` must be the bytes’ kind and the name’s extension must agree with them (a PNG named `.pdf` is refused).',
  'Size limits per kind (ATTACHMENT_MAX_IMAGE_BYTES, _VIDEO_, _FILE_; 10, 50 and 20 MiB by default): over it, 413 `payload_too_large` with `limitBytes` and `kind`, and nothing is stored. Images get a thumbnail (WebP, at most 320 px a side).',
  'An Idempotency-Key replays the first answer without reading the body again (the bytes are not compared).',
].join('\n\n');

const sessionParams = z.strictObject({ sessionId: opaqueId });
const linkParams = z.strictObject({ sessionId: opaqueId, attachmentId: opaqueId });
const downloadParams = z.strictObject({
  tenantId: opaqueId,
  sessionId: opaqueId,
  attachmentId: opaqueId,
});
const downloadQuery = z.strictObject({
  variant: z.enum(attachmentVariants).default('original'),
  expires: decimalInteger({ min: 0 }).meta({ description: 'Unix time (s) the link expires at' }),
  signature: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, { message: 'must be 43 base64url characters' }),
});

/** The sender, from a visitor's or an agent's token. */
function speakerOf(principal: Principal | undefined): { tenantId: string; speaker: Speaker } {
  switch (principal?.role) {
    case 'visitor':
      return {
        tenantId: principal.tenantId,
        speaker: {
          type: 'visitor',
          sessionId: principal.sessionId,
          visitorId: principal.visitorId,
        },
      };
    case 'agent':
    case 'supervisor':
      return {
        tenantId: principal.tenantId,
        speaker: { type: 'agent', agentId: principal.agentId, role: principal.role },
      };
    default:
      throw new AppError(403, 'forbidden', 'Only a visitor or agent token handles attachments');
  }
}

/** Reads the rest of a request and drops it; past `capBytes` the connection is cut instead. */
function drain(request: IncomingMessage, capBytes: number): Promise<void> {
  if (request.readableEnded || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > capBytes) request.destroy();
    });
    request.once('end', resolve);
    request.once('close', resolve);
    request.once('error', () => resolve());
    request.resume();
  });
}

const notFound = () =>
  new AppError(404, 'not_found', 'No such attachment (or the link is not valid)');

/**
 * Attachments: upload (`POST /api/v1/sessions/:sessionId/attachments`),
 * fresh links for a participant (`GET …/attachments/:attachmentId`), and the
 * signed download (`GET /api/v1/attachments/:tenantId/:sessionId/:attachmentId`).
 */
export function attachmentRoutes(api: ReturnType<typeof endpoints>, deps: AttachmentRouteDeps) {
  api.add({
    method: 'post',
    path: '/api/v1/sessions/:sessionId/attachments',
    tag: 'sessions',
    summary: 'Upload an image, video or file to a session (then send a message naming its id)',
    description: uploadNote,
    roles: ['visitor', 'agent'],
    credential: 'session-token',
    params: sessionParams,
    query: uploadQuerySchema,
    rawBody: {
      mediaType: 'application/octet-stream',
      limit: 'per kind, ATTACHMENT_MAX_*_BYTES',
      description: 'The file’s bytes as they are',
      streamed: true,
    },
    responses: { 201: { description: 'Stored', schema: attachmentInfo } },
    errors: {
      403: 'The token may not write to this session (not the shopper’s own, not assigned to the agent)',
      404: "No such session in the token's tenant",
      409: '`session_closed`: the session is over',
      413: '`payload_too_large`: over the kind’s limit (`limitBytes`, `kind`); nothing is stored',
      415: '`unsupported_type`: the bytes are of no accepted type; or the body is not application/octet-stream',
      422: '`type_mismatch`: the bytes are of another kind than `kind`, or the name’s extension does not match them (`fields` names which); `unreadable_image`: an image that does not decode',
    },
    async handle({ params, query, principal, request }) {
      const { tenantId, speaker } = speakerOf(principal);
      const announced = Number(request.headers['content-length'] ?? NaN);
      try {
        const view = await uploadAttachment(
          deps,
          tenantId,
          speaker,
          params.sessionId,
          { ...query, announcedBytes: Number.isFinite(announced) ? announced : undefined },
          request,
        );
        return { status: 201, body: view };
      } catch (error) {
        // Read and drop what the client still sends, so it gets to read the refusal
        // (answering mid-upload would close the connection under it); within reason.
        await drain(request, 2 * Math.max(...Object.values(deps.limits)));
        throw error;
      }
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/sessions/:sessionId/attachments/:attachmentId',
    tag: 'sessions',
    summary: 'An attachment of the session, with fresh links (when the ones in a message expired)',
    roles: ['visitor', 'agent', 'supervisor'],
    credential: 'session-token',
    params: linkParams,
    responses: { 200: { description: 'The attachment, links fresh', schema: attachmentInfo } },
    errors: {
      403: 'The token may not read this session',
      404: 'No such attachment in this session of the token’s tenant',
    },
    async handle({ params, principal }) {
      const { tenantId, speaker } = speakerOf(principal);
      const viewer =
        speaker.type === 'visitor'
          ? { type: 'visitor' as const, sessionId: speaker.sessionId }
          : speaker;
      try {
        await readableSession(deps.sessions, tenantId, viewer, params.sessionId);
      } catch (error) {
        throw error instanceof Refusal ? refusalError(error) : error;
      }
      const doc = await deps.attachments.find(tenantId, params.sessionId, params.attachmentId);
      if (!doc) throw notFound();
      return { status: 200, body: attachmentView(deps.links, doc) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/attachments/:tenantId/:sessionId/:attachmentId',
    tag: 'sessions',
    summary: 'The bytes of an attachment, through a signed link that expires',
    description:
      'The links in messages and in the attachment routes’ answers. A link names its tenant, session and attachment and is signed over them, the variant and the expiry: changing any part of it, or naming another session’s attachment, answers 404; a link past its expiry 403 `link_expired` (ask `GET /api/v1/sessions/{sessionId}/attachments/{attachmentId}` for a fresh one). Images and videos are served inline, every other file as a download; always with `X-Content-Type-Options: nosniff`.',
    roles: 'public',
    params: downloadParams,
    query: downloadQuery,
    responses: {
      200: {
        description: 'The bytes, with the type they were proved to be',
        mediaType: 'application/octet-stream',
        schema: z.string().meta({ format: 'binary' }),
      },
    },
    errors: {
      403: '`link_expired`: the link is past its expiry',
      404: 'No such attachment, or a signature that does not match the link',
    },
    async handle({ params, query }) {
      const verdict = deps.links.verify(params, query.variant, query.expires, query.signature);
      if (verdict === 'invalid') throw notFound();
      if (verdict === 'expired') {
        throw new AppError(403, 'link_expired', 'This attachment link has expired', {
          fields: [{ path: 'expires', message: 'in the past' }],
        });
      }
      const doc = await deps.attachments.find(
        params.tenantId,
        params.sessionId,
        params.attachmentId,
      );
      if (!doc) throw notFound();
      const thumbnail = query.variant === 'thumbnail';
      if (thumbnail && !doc.thumbnail) throw notFound();
      const key = {
        tenantId: doc.tenantId,
        sessionId: doc.sessionId,
        name: thumbnail ? `${doc.attachmentId}.thumb` : doc.attachmentId,
      };
      const contentType = thumbnail && doc.thumbnail ? doc.thumbnail.mimeType : doc.mimeType;
      const inline = doc.kind === 'image' || doc.kind === 'video';
      return {
        status: 200,
        file: {
          contentType: contentType === 'text/plain' ? 'text/plain; charset=utf-8' : contentType,
          length: thumbnail && doc.thumbnail ? doc.thumbnail.size : doc.size,
          disposition: inline ? 'inline' : 'attachment',
          filename: thumbnail ? `${doc.name}.thumb.webp` : doc.name,
          body: deps.blobs.read(key),
        },
      };
    },
  });
}
