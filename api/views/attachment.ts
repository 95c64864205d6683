import { z } from 'zod';
import { attachmentKinds } from '../../domain/attachments';

/** An uploaded attachment as its participants see it: what it is, and links that expire. */
export const attachmentInfo = z.object({
  id: z.string().meta({ description: 'Name it as `attachmentId` in the message that carries it' }),
  kind: z.enum(attachmentKinds),
  name: z.string(),
  size: z.number().int().meta({ description: 'Bytes' }),
  mimeType: z
    .string()
    .meta({ description: 'As the bytes proved it, not as the name or browser said' }),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  url: z.string().meta({ description: 'Signed link to the bytes, relative to the API’s origin' }),
  thumbnailUrl: z
    .string()
    .optional()
    .meta({ description: 'Signed link to a thumbnail (images: WebP, at most 320 px a side)' }),
  expiresAt: z.string().meta({ description: 'When the links stop working (403 after)' }),
});
