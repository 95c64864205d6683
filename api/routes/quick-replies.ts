import { z } from 'zod';
import type { Principal } from '../../domain/access';
import {
  matchesSearch,
  quickReplySchema,
  quickReplyScopes,
  type QuickReply,
} from '../../domain/quick-replies';
import type { QuickReplyOwner, QuickReplyStore } from '../../stores/quick-replies';
import type { AuditTrail } from '../audit-trail';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { quickReplyView } from '../views';
import { limitQuery } from '../http/schemas';

export interface QuickReplyDeps {
  quickReplies: QuickReplyStore;
  audit: AuditTrail;
}

const params = z.strictObject({ quickReplyId: z.uuid() });
const staffAndAdmins = ['admin', 'supervisor', 'agent'] as const;
const notFound = (id: string) => new AppError(404, 'not_found', `No quick reply ${id}`);

const agentOf = (principal: Principal | undefined) =>
  principal?.role === 'agent' || principal?.role === 'supervisor' ? principal.agentId : undefined;

/** Admins (API keys) manage the tenant's quick replies; agents and supervisors their own. */
const ownerOf = (principal: Principal | undefined): QuickReplyOwner => {
  const agentId = agentOf(principal);
  return agentId === undefined ? { scope: 'tenant' } : { scope: 'personal', agentId };
};

/** Seen by the caller: tenant-wide ones by everyone, personal ones by their owner only. */
const visibleTo = (reply: QuickReply, principal: Principal | undefined) =>
  reply.scope === 'tenant' || reply.ownerId === agentOf(principal);

/** Quick replies (常用语): tenant-wide and personal. */
export function quickReplyRoutes(api: ReturnType<typeof endpoints>, deps: QuickReplyDeps) {
  /** A change by someone who may see the reply but not change it is a 403, not a 404. */
  async function checkChangeable(tenantId: string, id: string, principal: Principal | undefined) {
    const existing = await deps.quickReplies.get(tenantId, id);
    if (!existing || !visibleTo(existing, principal)) throw notFound(id);
    if (existing.scope === 'tenant' && agentOf(principal) !== undefined) {
      throw new AppError(403, 'forbidden', 'Tenant-wide quick replies are managed by admins');
    }
  }

  api.add({
    method: 'get',
    path: '/api/v1/quick-replies',
    tag: 'quick replies',
    summary:
      'Quick replies: the tenant’s, plus the caller’s personal ones (agent token); searchable',
    roles: ['admin', 'integration', 'supervisor', 'agent'],
    query: z.strictObject({
      q: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .optional()
        .meta({ description: 'Case-insensitive text found in the shortcut or the text' }),
      scope: z.enum(quickReplyScopes).optional(),
      limit: limitQuery,
    }),
    responses: {
      200: { description: 'Quick replies', schema: z.object({ items: z.array(quickReplyView) }) },
    },
    async handle({ query, principal }) {
      const all = await deps.quickReplies.list(tenantOf(principal), agentOf(principal));
      const items = all
        .filter((r) => (query.scope ? r.scope === query.scope : true))
        .filter((r) => matchesSearch(r, query.q))
        .slice(0, query.limit);
      return { status: 200, body: { items } };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/quick-replies',
    tag: 'quick replies',
    summary: 'Add a quick reply: tenant-wide with an admin key, personal with an agent token',
    roles: staffAndAdmins,
    body: quickReplySchema,
    responses: { 201: { description: 'Added', schema: quickReplyView } },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const added = await deps.quickReplies.add(tenantId, ownerOf(principal), body);
      await deps.audit.record(principal, tenantId, {
        action: 'quick_reply.created',
        target: { type: 'quick_reply', id: added.id },
        summary: { scope: added.scope },
      });
      return { status: 201, body: added };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/quick-replies/:quickReplyId',
    tag: 'quick replies',
    summary: 'One quick reply (another agent’s personal ones are not found)',
    roles: ['admin', 'integration', 'supervisor', 'agent'],
    params,
    responses: { 200: { description: 'The quick reply', schema: quickReplyView } },
    errors: { 404: 'No such quick reply' },
    async handle({ params, principal }) {
      const reply = await deps.quickReplies.get(tenantOf(principal), params.quickReplyId);
      if (!reply || !visibleTo(reply, principal)) throw notFound(params.quickReplyId);
      return { status: 200, body: reply };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/quick-replies/:quickReplyId',
    tag: 'quick replies',
    summary: 'Replace a quick reply: admins the tenant’s, agents their own',
    roles: staffAndAdmins,
    params,
    body: quickReplySchema,
    responses: { 200: { description: 'Replaced', schema: quickReplyView } },
    errors: { 404: 'No such quick reply' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      await checkChangeable(tenantId, params.quickReplyId, principal);
      const replaced = await deps.quickReplies.replace(
        tenantId,
        ownerOf(principal),
        params.quickReplyId,
        body,
      );
      if (!replaced) throw notFound(params.quickReplyId);
      await deps.audit.record(principal, tenantId, {
        action: 'quick_reply.updated',
        target: { type: 'quick_reply', id: params.quickReplyId },
        summary: { scope: replaced.scope },
      });
      return { status: 200, body: replaced };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/quick-replies/:quickReplyId',
    tag: 'quick replies',
    summary: 'Remove a quick reply: admins the tenant’s, agents their own',
    roles: staffAndAdmins,
    params,
    responses: { 204: { description: 'Removed' } },
    errors: { 404: 'No such quick reply' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await checkChangeable(tenantId, params.quickReplyId, principal);
      if (!(await deps.quickReplies.remove(tenantId, ownerOf(principal), params.quickReplyId))) {
        throw notFound(params.quickReplyId);
      }
      await deps.audit.record(principal, tenantId, {
        action: 'quick_reply.deleted',
        target: { type: 'quick_reply', id: params.quickReplyId },
      });
      return { status: 204 };
    },
  });
}
