import { z } from 'zod';
import { faqEntrySchema } from '../../domain/faq';
import { flowSchema } from '../../domain/flow';
import { quickReplyScopes } from '../../domain/quick-replies';
import { workingHoursSchema } from '../../domain/working-hours';
import { isoTime } from '../http/schemas';

/** What a tenant configures: its flow's versions, working hours, FAQ, quick replies, identity. */

export const flowVersionInfo = z.object({
  version: z.number().int(),
  createdAt: isoTime,
  note: z.string().optional(),
  rolledBackFrom: z.number().int().optional(),
});
export const flowVersionView = flowVersionInfo.extend({ flow: flowSchema });

export const hoursKind = z.enum(['reception']);
export const hoursView = z.object({
  groupId: z.string(),
  kind: hoursKind,
  schedule: workingHoursSchema,
});

export const faqView = faqEntrySchema.extend({ id: z.string() });
export const importReport = z.object({
  imported: z.number().int(),
  items: z.array(faqView),
  rows: z.array(z.object({ row: z.number(), path: z.string(), message: z.string() })),
});

export const quickReplyView = z.object({
  id: z.string(),
  scope: z.enum(quickReplyScopes),
  ownerId: z.string().optional(),
  shortcut: z.string(),
  text: z.string(),
});

export const identitySettingsView = z.object({
  requireVerifiedIdentity: z.boolean(),
  secrets: z
    .array(
      z.object({
        secretId: z.string(),
        createdAt: isoTime,
        current: z.boolean().meta({ description: 'false: the previous secret, still valid' }),
      }),
    )
    .meta({
      description: 'The valid identity secrets, newest first (their values are never shown here)',
    }),
});

export const rotatedSecret = z.object({
  secretId: z.string(),
  secret: z.string().meta({
    description:
      'The new identity secret: shown only in this answer. Sign visitor ids with it on the merchant’s servers, never in the browser',
  }),
  settings: identitySettingsView,
});
