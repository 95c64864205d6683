import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import { tagGroupSchema } from '../../domain/tags';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import type { AuditTrail } from '../audit-trail';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { tagGroupView } from '../views';
import { stillReferenced, tagGroupReferrers } from '../use-cases/references';

export interface TagGroupDeps {
  tags: TagStore;
  audit: AuditTrail;
}

const groupParams = z.strictObject({ groupId: opaqueId });
const notFound = (what: string) => new AppError(404, 'not_found', `No ${what}`);

/** `/api/v1/tag-groups`: admins group tags; everyone on the tenant's staff reads the groups. */
export function tagGroupRoutes(api: ReturnType<typeof endpoints>, deps: TagGroupDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/tag-groups',
    tag: 'tags',
    summary: 'Tag groups',
    roles: roles.staff,
    responses: {
      200: { description: 'Tag groups', schema: z.object({ items: z.array(tagGroupView) }) },
    },
    async handle({ principal }) {
      return { status: 200, body: { items: await deps.tags.listGroups(tenantOf(principal)) } };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/tag-groups',
    tag: 'tags',
    summary: 'Add a tag group',
    roles: roles.admin,
    body: tagGroupSchema.extend({ groupId: opaqueId }),
    responses: { 201: { description: 'Added', schema: tagGroupView } },
    errors: { 409: 'The group id is taken' },
    async handle({ body, principal }) {
      if (!(await deps.tags.addGroup(tenantOf(principal), body.groupId, body.name))) {
        throw new AppError(409, 'conflict', `Tag group ${body.groupId} exists`);
      }
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'tag_group.created',
        target: { type: 'tag_group', id: body.groupId },
      });
      return { status: 201, body };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/tag-groups/:groupId',
    tag: 'tags',
    summary: 'Rename a tag group',
    roles: roles.admin,
    params: groupParams,
    body: tagGroupSchema,
    responses: { 200: { description: 'Renamed', schema: tagGroupView } },
    errors: { 404: 'No such tag group' },
    async handle({ params, body, principal }) {
      if (!(await deps.tags.renameGroup(tenantOf(principal), params.groupId, body.name))) {
        throw notFound(`tag group ${params.groupId}`);
      }
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'tag_group.updated',
        target: { type: 'tag_group', id: params.groupId },
      });
      return { status: 200, body: { groupId: params.groupId, name: body.name } };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/tag-groups/:groupId',
    tag: 'tags',
    summary: 'Remove an empty tag group',
    roles: roles.admin,
    params: groupParams,
    responses: { 204: { description: 'Removed' } },
    errors: {
      404: 'No such tag group',
      409: 'The group still has tags; `referrers` lists them (at most 20)',
    },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      if (!(await deps.tags.getGroup(tenantId, params.groupId))) {
        throw notFound(`tag group ${params.groupId}`);
      }
      const referrers = await tagGroupReferrers(deps.tags, tenantId, params.groupId);
      if (referrers.length > 0) throw stillReferenced(`Tag group ${params.groupId}`, referrers);
      await deps.tags.removeGroup(tenantId, params.groupId);
      await deps.audit.record(principal, tenantId, {
        action: 'tag_group.deleted',
        target: { type: 'tag_group', id: params.groupId },
      });
      return { status: 204 };
    },
  });
}
