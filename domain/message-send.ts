import { z } from 'zod';
import { opaqueId } from './session';

/**
 * What a shopper or an agent may send, validated at the gateway's edge (and
 * shared with browser code for the same limits). Only people's kinds:
 * `system` and `rating` messages come from the workflow alone.
 */

export const messageLimits = {
  /** Characters of a text message. */
  textChars: 4_000,
  /** Characters of the caption of an image, file or card. */
  captionChars: 1_000,
  urlChars: 2_048,
  imageBytes: 10 * 1024 * 1024,
  fileBytes: 50 * 1024 * 1024,
  imageTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
  fileTypes: [
    'application/pdf',
    'text/plain',
    'text/csv',
    'application/zip',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
  ],
} as const;

/** http(s) only: a `javascript:` or `data:` URL would be markup by another name. */
const webUrl = z
  .string()
  .max(messageLimits.urlChars)
  .refine(
    (value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s) URL' },
  );

const fileName = z.string().trim().min(1).max(200);
const caption = z.string().max(messageLimits.captionChars).default('');
const pixels = z.number().int().min(1).max(100_000);

const imageAttachment = z.strictObject({
  url: webUrl,
  name: fileName,
  size: z
    .number()
    .int()
    .min(1)
    .max(messageLimits.imageBytes, {
      message: `must be at most ${messageLimits.imageBytes} bytes`,
    }),
  mimeType: z.enum(messageLimits.imageTypes, {
    message: `must be one of ${messageLimits.imageTypes.join(', ')}`,
  }),
  width: pixels.optional(),
  height: pixels.optional(),
});

const fileAttachment = z.strictObject({
  url: webUrl,
  name: fileName,
  size: z
    .number()
    .int()
    .min(1)
    .max(messageLimits.fileBytes, {
      message: `must be at most ${messageLimits.fileBytes} bytes`,
    }),
  mimeType: z.enum(messageLimits.fileTypes, { message: 'is not an accepted file type' }),
});

export const cardSchema = z.strictObject({
  type: z.enum(['product', 'order']),
  ref: z.string().trim().min(1).max(100),
  title: z.string().trim().min(1).max(200),
  url: webUrl.optional(),
  imageUrl: webUrl.optional(),
  price: z.string().trim().min(1).max(40).optional(),
  status: z.string().trim().min(1).max(40).optional(),
});

/** The sender's id for the message: a resend with the same id is the same message. */
export const clientMsgId = opaqueId;

/**
 * An uploaded attachment, by the id its upload answered with (see
 * api/routes/attachments.ts): the server fills in what it is and its links.
 */
const attachmentId = opaqueId;

/** An image or file message carries a link (`attachment`) or an upload (`attachmentId`), one of them. */
const oneAttachment = {
  check: (body: { attachment?: unknown; attachmentId?: unknown }) =>
    (body.attachment === undefined) !== (body.attachmentId === undefined),
  message: {
    message: 'give attachment (a link) or attachmentId (an upload), one of them',
    path: ['attachmentId'],
  },
};

const bodies = {
  text: {
    kind: z.literal('text'),
    clientMsgId,
    text: z
      .string()
      .max(messageLimits.textChars, {
        message: `must be at most ${messageLimits.textChars} characters`,
      })
      .refine((value) => value.trim().length > 0, { message: 'must not be empty' }),
  },
  image: {
    kind: z.literal('image'),
    clientMsgId,
    attachment: imageAttachment.optional(),
    attachmentId: attachmentId.optional(),
    text: caption,
  },
  file: {
    kind: z.literal('file'),
    clientMsgId,
    attachment: fileAttachment.optional(),
    attachmentId: attachmentId.optional(),
    text: caption,
  },
  video: { kind: z.literal('video'), clientMsgId, attachmentId, text: caption },
  card: { kind: z.literal('card'), clientMsgId, card: cardSchema, text: caption },
};

/** The shopper's send: the session comes from their token, so none is named. */
export const visitorSendSchema = z.discriminatedUnion('kind', [
  z.strictObject(bodies.text),
  z.strictObject(bodies.image).refine(oneAttachment.check, oneAttachment.message),
  z.strictObject(bodies.file).refine(oneAttachment.check, oneAttachment.message),
  z.strictObject(bodies.video),
  z.strictObject(bodies.card),
]);

/** An agent's send names the session (the gateway checks it is theirs). */
export const agentSendSchema = z.discriminatedUnion('kind', [
  z.strictObject({ sessionId: opaqueId, ...bodies.text }),
  z
    .strictObject({ sessionId: opaqueId, ...bodies.image })
    .refine(oneAttachment.check, oneAttachment.message),
  z
    .strictObject({ sessionId: opaqueId, ...bodies.file })
    .refine(oneAttachment.check, oneAttachment.message),
  z.strictObject({ sessionId: opaqueId, ...bodies.video }),
  z.strictObject({ sessionId: opaqueId, ...bodies.card }),
]);

export type VisitorSend = z.input<typeof visitorSendSchema>;
export type AgentSend = z.input<typeof agentSendSchema>;
/** A validated message body, whoever sent it. */
export type SendBody = z.output<typeof visitorSendSchema>;

export const syncRequestSchema = z.strictObject({
  afterSeq: z.number().int().min(0),
  limit: z.number().int().min(1).max(200).default(100),
});

export const agentSyncRequestSchema = syncRequestSchema.extend({ sessionId: opaqueId });

export const readRequestSchema = z.strictObject({ seq: z.number().int().min(1) });
export const agentReadRequestSchema = readRequestSchema.extend({ sessionId: opaqueId });
export const sessionRefSchema = z.strictObject({ sessionId: opaqueId });
