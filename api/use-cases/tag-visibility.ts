import type { Role } from '../../domain/access';
import { tagSetRefusal, tagVisibleTo, type Tag, type TagTarget } from '../../domain/tags';
import type { TagStore } from '../../stores/tags';
import { AppError } from '../errors';

/**
 * The tag ids `role` may not see. Empty for everyone but agents, so only
 * agents' reads pay for the lookup.
 */
export async function hiddenTagIds(
  tags: TagStore,
  tenantId: string,
  role: Role,
): Promise<Set<string>> {
  if (role !== 'agent') return new Set();
  const all = await tags.listTags(tenantId, {});
  return new Set(all.filter((t) => !tagVisibleTo(t, role)).map((t) => t.tagId));
}

/** Of `ids`, the tags `role` may see. */
export async function visibleTagIds(
  tags: TagStore,
  tenantId: string,
  ids: string[],
  role: Role,
): Promise<string[]> {
  if (ids.length === 0) return ids;
  const hidden = await hiddenTagIds(tags, tenantId, role);
  return ids.filter((id) => !hidden.has(id));
}

/**
 * The tag, if `role` may see it (404 otherwise, as if it did not exist), it
 * targets `target` (422), and `role` may set it (403: integration keys set
 * external tags; people set manual ones).
 */
export async function settableTag(
  tags: TagStore,
  tenantId: string,
  tagId: string,
  target: TagTarget,
  role: Role,
): Promise<Tag> {
  const tag = await tags.getTag(tenantId, tagId);
  if (!tag || !tagVisibleTo(tag, role)) {
    throw new AppError(404, 'not_found', `No tag ${tagId}`);
  }
  if (tag.target !== target) {
    throw new AppError(422, 'wrong_target', `Tag ${tagId} is for ${tag.target}s, not ${target}s`);
  }
  const refusal = tagSetRefusal(tag, role);
  if (refusal) throw new AppError(403, refusal.code, refusal.message);
  return tag;
}
