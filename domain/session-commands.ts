import { z } from 'zod';
import type { ChatMessage } from './message';
import { opaqueId } from './session';

/**
 * What callers ask of a running session (the workflow's updates and
 * signals), validated the same way by the API at the edge and by the
 * workflow's update validators, so a bad request is refused before anything
 * changes.
 */

export const closeReasons = [
  'robot_idle',
  'visitor',
  'agent',
  'ops',
  'idle',
  'abandoned',
  'left_message',
  'leave_message_timeout',
  /** The workflow was ended from outside (terminated in the Temporal Web UI, failed, timed out). */
  'terminated',
] as const;
export type CloseReason = (typeof closeReasons)[number];

/** Who acts: the session's shopper, an agent (or supervisor) of the tenant, or an operator. */
export const actorSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('visitor') }),
  z.strictObject({
    type: z.literal('agent'),
    agentId: opaqueId,
    supervisor: z.boolean().default(false),
  }),
  z.strictObject({ type: z.literal('ops') }),
]);
export type Actor = z.infer<typeof actorSchema>;

/** A shopper message the robot must answer (robot phase only). */
export const visitorTextSchema = z.strictObject({
  messageId: z.string().min(1).max(100),
  text: z.string().trim().min(1).max(2_000),
  /** Epoch ms when the gateway stored it. */
  at: z.number().int().min(0),
});
export type VisitorText = z.infer<typeof visitorTextSchema>;

/**
 * A stored shopper text as the robot hears it: its first 2,000 characters;
 * none when nothing is left to answer (blank after trimming).
 */
export function visitorTextOf(
  message: Pick<ChatMessage, 'messageId' | 'text' | 'createdAt'>,
): VisitorText | undefined {
  const told = visitorTextSchema.safeParse({
    messageId: message.messageId,
    text: message.text.slice(0, 2_000),
    at: Date.parse(message.createdAt),
  });
  return told.success ? told.data : undefined;
}

/**
 * A turn change in the human phase, told by the gateway (bounded by turns,
 * not messages). The workflow times it by its own clock on arrival, so its
 * deadlines never depend on another machine's clock.
 */
export const chatTurnSchema = z.strictObject({
  by: z.enum(['visitor', 'agent']),
  agentId: opaqueId.optional(),
});
export type ChatTurn = z.infer<typeof chatTurnSchema>;

export const offerReplySchema = z.strictObject({ agentId: opaqueId });
export type OfferReply = z.infer<typeof offerReplySchema>;

export const transferRequestSchema = z
  .strictObject({
    by: actorSchema,
    toAgentId: opaqueId.optional(),
    toGroupId: opaqueId.optional(),
    note: z.string().trim().max(500).optional(),
  })
  .refine((r) => (r.toAgentId === undefined) !== (r.toGroupId === undefined), {
    message: 'give exactly one of toAgentId or toGroupId',
    path: ['toAgentId'],
  });
export type TransferRequest = z.infer<typeof transferRequestSchema>;

export const closeRequestSchema = z.strictObject({ by: actorSchema });
export type CloseRequest = z.infer<typeof closeRequestSchema>;

export const rateRequestSchema = z.strictObject({
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(1_000).optional(),
});
export type RateRequest = z.infer<typeof rateRequestSchema>;

export const leaveMessageRequestSchema = z.strictObject({
  contact: z
    .strictObject({
      name: z.string().trim().min(1).max(80).optional(),
      phone: z
        .string()
        .trim()
        .regex(/^\+?[0-9 ()-]{5,20}$/, { message: 'must be a phone number' })
        .optional(),
      email: z.email().max(200).optional(),
      orderRef: z.string().trim().min(1).max(100).optional(),
    })
    .default({}),
  content: z.string().trim().min(1, { message: 'must not be empty' }).max(2_000),
});
export type LeaveMessageRequest = z.infer<typeof leaveMessageRequestSchema>;

/** The first problem of a failed parse, as `path: message`, for refusals. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
