import { z } from 'zod';
import type { Role } from './access';
import { channels, entryTypes, opaqueId, type SessionInput } from './session';

/**
 * Tags on customers and sessions. Every tag belongs to a tag group, has one
 * target, one kind (who sets it) and a visibility. Pure rules only: who may
 * see and set a tag, and which auto tags a new session gets.
 */

export const tagTargets = ['customer', 'session'] as const;
export type TagTarget = (typeof tagTargets)[number];

/** manual: set by people; auto: set by its rule when a session opens; external: set by a merchant system. */
export const tagKinds = ['manual', 'auto', 'external'] as const;
export type TagKind = (typeof tagKinds)[number];

/** Who sees the tag (and so may filter by it or set it): every agent, or supervisors and admins. */
export const tagVisibilities = ['all', 'supervisors'] as const;
export type TagVisibility = (typeof tagVisibilities)[number];

/**
 * Conditions of an auto tag; all given ones must hold, each is "any of".
 * `visitorTags` are the customer's stored tags, never browser-declared ones.
 */
export const autoRuleSchema = z
  .strictObject({
    entryTypes: z.array(z.enum(entryTypes)).min(1).optional(),
    channels: z.array(z.enum(channels)).min(1).optional(),
    visitorTags: z.array(z.string().trim().min(1).max(40)).min(1).max(20).optional(),
  })
  .refine((r) => Boolean(r.entryTypes ?? r.channels ?? r.visitorTags), {
    message: 'give at least one of entryTypes, channels or visitorTags',
  });
export type AutoRule = z.infer<typeof autoRuleSchema>;

export const tagGroupSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
});

const tagFields = {
  groupId: opaqueId,
  name: z.string().trim().min(1).max(80),
  target: z.enum(tagTargets),
  kind: z.enum(tagKinds).default('manual'),
  visibility: z.enum(tagVisibilities).default('all'),
  rule: autoRuleSchema.optional(),
};

/** A rule exactly when the tag is automatic; auto tags are session tags (a rule reads the session). */
const ruleMatchesKind = <T extends { kind: TagKind; target: TagTarget; rule?: AutoRule }>(
  tag: T,
  ctx: z.RefinementCtx,
) => {
  if (tag.kind === 'auto' && !tag.rule) {
    ctx.addIssue({ code: 'custom', path: ['rule'], message: 'an auto tag needs a rule' });
  }
  if (tag.kind !== 'auto' && tag.rule) {
    ctx.addIssue({ code: 'custom', path: ['rule'], message: 'only auto tags have a rule' });
  }
  if (tag.kind === 'auto' && tag.target !== 'session') {
    ctx.addIssue({ code: 'custom', path: ['target'], message: 'auto tags target sessions' });
  }
};

export const tagSchema = z.strictObject(tagFields).superRefine(ruleMatchesKind);
export const newTagSchema = z
  .strictObject({ tagId: opaqueId, ...tagFields })
  .superRefine(ruleMatchesKind);
export type TagInput = z.infer<typeof tagSchema>;

export interface Tag extends TagInput {
  tagId: string;
}

/** Agents see `all` tags only; supervisors, admins and integrations see every tag. */
export function tagVisibleTo(tag: Pick<Tag, 'visibility'>, role: Role): boolean {
  return tag.visibility === 'all' || role !== 'agent';
}

export type TagRefusal = { code: 'tag_not_settable'; message: string } | undefined;

/** Whether `role` may set or remove `tag` by hand; visibility is checked before (an unseen tag is missing). */
export function tagSetRefusal(tag: Pick<Tag, 'kind' | 'tagId'>, role: Role): TagRefusal {
  if (tag.kind === 'auto') {
    return { code: 'tag_not_settable', message: `Tag ${tag.tagId} is set by its rule only` };
  }
  if (tag.kind === 'external' && role !== 'admin' && role !== 'integration') {
    return {
      code: 'tag_not_settable',
      message: `Tag ${tag.tagId} is external: set with an API key by the merchant's system`,
    };
  }
  if (tag.kind === 'manual' && role === 'integration') {
    return { code: 'tag_not_settable', message: `Tag ${tag.tagId} is set by people, not systems` };
  }
  return undefined;
}

const anyOf = <T>(wanted: readonly T[] | undefined, has: (value: T) => boolean) =>
  wanted === undefined || wanted.some(has);

/** The auto tags a session opened with `input` gets, in the order given. */
export function autoTagsFor(
  tags: readonly Pick<Tag, 'tagId' | 'kind' | 'rule'>[],
  input: Pick<SessionInput, 'channel' | 'entry' | 'visitor'>,
): string[] {
  return tags.flatMap((tag) => {
    const rule = tag.rule;
    if (tag.kind !== 'auto' || !rule) return [];
    const holds =
      anyOf(rule.entryTypes, (t) => t === input.entry.type) &&
      anyOf(rule.channels, (c) => c === input.channel) &&
      anyOf(rule.visitorTags, (t) => input.visitor.tags.includes(t));
    return holds ? [tag.tagId] : [];
  });
}
