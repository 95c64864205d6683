import { z } from 'zod';
import { identityKinds } from '../../domain/identity';
import type { OutreachDoc } from '../../stores/collections';
import { isoTime } from '../http/schemas';
import { chatMessage } from './message';

/** A customer: the profile, the tags on it, the data-subject export and erasure, outreach. */

export const customerProfileView = z.object({
  visitorId: z.string(),
  identity: z.enum(identityKinds).meta({
    description: 'How the customer was first known: verified (signed identity) or anonymous',
  }),
  name: z.string().optional(),
  givenName: z.string().optional().meta({
    description:
      'The name the shopper typed when opening chat (the widget’s, or a channel’s): shown to agents, not verified',
  }),
  email: z.string().optional(),
  phone: z.string().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  externalIds: z.record(z.string(), z.string()),
  tags: z.array(z.string()).meta({ description: 'Customer tag ids the caller may see' }),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const customerTagsView = z.object({ visitorId: z.string(), tags: z.array(z.string()) });

export const customerExport = z.object({
  visitorId: z.string(),
  exportedAt: isoTime,
  profile: z.looseObject({}).optional().meta({ description: 'The stored customer profile' }),
  tags: z.array(z.string()).meta({ description: 'Tag ids on the customer' }),
  sessions: z.array(
    z
      .looseObject({
        sessionId: z.string(),
        phase: z.string(),
        startedAt: isoTime,
        rating: z
          .object({ score: z.number(), comment: z.string().optional(), at: isoTime })
          .optional(),
        tags: z.array(z.string()).optional(),
        messages: z.array(chatMessage),
      })
      .meta({ description: 'A session as stored, with every message of it' }),
  ),
  tickets: z.array(z.looseObject({ ticketId: z.string() })),
  outreach: z.array(z.looseObject({ outreachId: z.string() })),
});

export const erasedCustomer = z.object({
  visitorId: z.string(),
  sessions: z.number().meta({ description: 'Sessions of the customer that were erased' }),
  workflows: z.number().meta({ description: 'Workflow executions deleted from Temporal' }),
  deleted: z
    .record(z.string(), z.number())
    .meta({ description: 'Documents deleted, per MongoDB collection' }),
  redisEntries: z.number(),
});

export const outreachView = z.object({
  allowed: z.literal(true),
  lastConsultationAt: isoTime,
  allowedUntil: isoTime,
});

export const outreachOpened = z.object({
  outreachId: z.string(),
  visitorId: z.string(),
  agentId: z.string(),
  text: z.string(),
  status: z.literal('pending'),
  lastConsultationAt: isoTime,
  allowedUntil: isoTime,
  createdAt: isoTime,
});

export const toOutreachOpened = (doc: OutreachDoc) => ({
  outreachId: doc._id,
  visitorId: doc.visitorId,
  agentId: doc.agentId,
  text: doc.text,
  status: doc.status,
  lastConsultationAt: doc.lastConsultationAt.toISOString(),
  allowedUntil: doc.allowedUntil.toISOString(),
  createdAt: doc.createdAt.toISOString(),
});
