import { z } from 'zod';
import { autoRuleSchema, tagKinds, tagTargets, tagVisibilities } from '../../domain/tags';

export const tagGroupView = z.object({ groupId: z.string(), name: z.string() });

export const tagView = z.object({
  tagId: z.string(),
  groupId: z.string(),
  name: z.string(),
  target: z.enum(tagTargets),
  kind: z.enum(tagKinds),
  visibility: z.enum(tagVisibilities),
  rule: autoRuleSchema.optional(),
});

/** The tags on a session the caller may see (a customer's: customerTagsView). */
export const sessionTagsView = z.object({ sessionId: z.string(), tags: z.array(z.string()) });
