import type { Role } from '../../domain/access';
import { tagVisibleTo } from '../../domain/tags';
import type { TagStore } from '../../stores/tags';

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
