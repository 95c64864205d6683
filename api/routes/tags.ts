import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import { newTagSchema, tagSchema, tagTargets, tagVisibleTo } from '../../domain/tags';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import type { AuditTrail } from '../audit-trail';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { tagView } from '../views';
import { requireTagGroup } from '../use-cases/references';

export interface TagDeps {
  tags: TagStore;
  audit: AuditTrail;
}

const tagParams = z.strictObject({ tagId: opaqueId });
const notFound = (what: string) => new AppError(404, 'not_found', `No ${what}`);

/** `/api/v1/tags`: admins define tags; everyone on the tenant's staff reads those they may see. */
export function tagRoutes(api: ReturnType<typeof endpoints>, deps: TagDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/tags',
    tag: 'tags',
    summary: 'Tags the caller may see (agents: visibility `all` only)',
    roles: roles.staff,
    query: z.strictObject({
      target: z.enum(tagTargets).optional(),
      groupId: opaqueId.optional(),
    }),
    responses: { 200: { description: 'Tags', schema: z.object({ items: z.array(tagView) }) } },
    async handle({ query, principal }) {
      const all = await deps.tags.listTags(tenantOf(principal), query);
      const role = principal?.role ?? 'agent';
      return { status: 200, body: { items: all.filter((t) => tagVisibleTo(t, role)) } };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/tags',
    tag: 'tags',
    summary: 'Add a tag: target customer or session; kind manual, auto (with a rule) or external',
    roles: roles.admin,
    body: newTagSchema,
    responses: { 201: { description: 'Added', schema: tagView } },
    errors: { 409: 'The tag id is taken', 422: 'No such tag group' },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      await requireTagGroup(deps.tags, tenantId, 'groupId', body.groupId);
      if (!(await deps.tags.addTag(tenantId, body))) {
        throw new AppError(409, 'conflict', `Tag ${body.tagId} exists`);
      }
      await deps.audit.record(principal, tenantId, {
        action: 'tag.created',
        target: { type: 'tag', id: body.tagId },
      });
      return { status: 201, body };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/tags/:tagId',
    tag: 'tags',
    summary: 'One tag',
    roles: roles.staff,
    params: tagParams,
    responses: { 200: { description: 'The tag', schema: tagView } },
    errors: { 404: 'No such tag (or not visible to agents)' },
    async handle({ params, principal }) {
      const tag = await deps.tags.getTag(tenantOf(principal), params.tagId);
      if (!tag || !tagVisibleTo(tag, principal?.role ?? 'agent')) {
        throw notFound(`tag ${params.tagId}`);
      }
      return { status: 200, body: tag };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/tags/:tagId',
    tag: 'tags',
    summary: 'Replace a tag (rule changes apply to sessions opened afterwards)',
    roles: roles.admin,
    params: tagParams,
    body: tagSchema,
    responses: { 200: { description: 'Replaced', schema: tagView } },
    errors: { 404: 'No such tag', 422: 'No such tag group' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      if (!(await deps.tags.getTag(tenantId, params.tagId))) throw notFound(`tag ${params.tagId}`);
      await requireTagGroup(deps.tags, tenantId, 'groupId', body.groupId);
      if (!(await deps.tags.replaceTag(tenantId, params.tagId, body))) {
        throw notFound(`tag ${params.tagId}`);
      }
      await deps.audit.record(principal, tenantId, {
        action: 'tag.updated',
        target: { type: 'tag', id: params.tagId },
      });
      return { status: 200, body: { tagId: params.tagId, ...body } };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/tags/:tagId',
    tag: 'tags',
    summary:
      'Remove a tag, and take it off every customer and session (a cascade: tags are labels, as in Chatwoot or Zendesk)',
    roles: roles.admin,
    params: tagParams,
    responses: { 204: { description: 'Removed' } },
    errors: { 404: 'No such tag' },
    async handle({ params, principal }) {
      if (!(await deps.tags.removeTag(tenantOf(principal), params.tagId))) {
        throw notFound(`tag ${params.tagId}`);
      }
      await deps.audit.record(principal, tenantOf(principal), {
        action: 'tag.deleted',
        target: { type: 'tag', id: params.tagId },
      });
      return { status: 204 };
    },
  });
}
