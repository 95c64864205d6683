import { z } from 'zod';
import { messageKinds } from '../../domain/message';

/** A chat message as the API and the sockets show it (messaging/ builds it from the store). */
export const chatMessage = z.object({
  tenantId: z.string(),
  sessionId: z.string(),
  seq: z.number().int().min(1),
  messageId: z.string(),
  clientMsgId: z.string().optional(),
  kind: z.enum(messageKinds),
  sender: z.object({
    type: z.enum(['visitor', 'agent', 'robot', 'system']),
    id: z.string().optional(),
  }),
  text: z.string(),
  attachment: z
    .object({
      id: z
        .string()
        .optional()
        .meta({ description: 'An upload’s id; absent for a link the sender gave' }),
      url: z.string().meta({
        description:
          'For an upload: a signed link relative to the API’s origin, working until expiresAt',
      }),
      thumbnailUrl: z.string().optional(),
      expiresAt: z.string().optional(),
      name: z.string(),
      size: z.number(),
      mimeType: z.string(),
      width: z.number().optional(),
      height: z.number().optional(),
    })
    .optional(),
  card: z
    .object({
      type: z.enum(['product', 'order']),
      ref: z.string(),
      title: z.string(),
      url: z.string().optional(),
      imageUrl: z.string().optional(),
      price: z.string().optional(),
      status: z.string().optional(),
    })
    .optional(),
  suggestions: z.array(z.string()).optional(),
  createdAt: z.string(),
});

export const messagePage = z.object({
  messages: z.array(chatMessage),
  hasMore: z.boolean(),
});

/** A staff-only note in a session (domain/notes.ts): never part of a shopper's view. */
export const sessionNote = z.object({
  sessionId: z.string(),
  noteId: z.string(),
  authorId: z.string(),
  text: z.string(),
  afterSeq: z.number().int().min(0),
  transfer: z
    .object({
      fromAgentId: z.string(),
      toAgentId: z.string().optional(),
      toGroupId: z.string().optional(),
    })
    .optional(),
  createdAt: z.string(),
});
