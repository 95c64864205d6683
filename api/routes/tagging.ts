import { z } from 'zod';
import type { Principal, Role } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import { tagSetRefusal, tagVisibleTo, type Tag, type TagTarget } from '../../domain/tags';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import { hiddenTagIds } from '../use-cases/tag-visibility';
import type { endpoints } from '../http/endpoint';
import { customerTagsView, sessionTagsView } from '../views';

export interface TaggingDeps {
  tags: TagStore;
  sessions: SessionStore;
}

const customerParams = z.strictObject({ visitorId: opaqueId });
const customerTagParams = customerParams.extend({ tagId: opaqueId });
const sessionTagParams = z.strictObject({ sessionId: opaqueId, tagId: opaqueId });
/** Integration keys set external tags; people set manual ones. */
const setters = ['admin', 'integration', 'supervisor', 'agent'] as const;

const roleOf = (principal: Principal | undefined): Role => principal?.role ?? 'agent';

/** Tagging customers (by visitor id) and sessions, under each tag's kind, target and visibility. */
export function taggingRoutes(api: ReturnType<typeof endpoints>, deps: TaggingDeps) {
  /** The tag, if the caller may see it, targets `target`, and may be set by the caller's role. */
  async function settableTag(
    tenantId: string,
    tagId: string,
    target: TagTarget,
    principal: Principal | undefined,
  ): Promise<Tag> {
    const tag = await deps.tags.getTag(tenantId, tagId);
    if (!tag || !tagVisibleTo(tag, roleOf(principal))) {
      throw new AppError(404, 'not_found', `No tag ${tagId}`);
    }
    if (tag.target !== target) {
      throw new AppError(422, 'wrong_target', `Tag ${tagId} is for ${tag.target}s, not ${target}s`);
    }
    const refusal = tagSetRefusal(tag, roleOf(principal));
    if (refusal) throw new AppError(403, refusal.code, refusal.message);
    return tag;
  }

  /** A customer is a visitor who has opened at least one session with the tenant. */
  async function knownCustomer(tenantId: string, visitorId: string): Promise<void> {
    const [any] = await deps.sessions.search(tenantId, { visitorId }, 1);
    if (!any) throw new AppError(404, 'not_found', `No customer ${visitorId}`);
  }

  /** Agents tag only their own sessions; others' are not found, as on GET. */
  async function taggableSession(
    tenantId: string,
    sessionId: string,
    principal: Principal | undefined,
  ) {
    const doc = await deps.sessions.get(tenantId, sessionId);
    if (!doc || (principal?.role === 'agent' && doc.agentId !== principal.agentId)) {
      throw new AppError(404, 'not_found', `No session ${sessionId}`);
    }
  }

  async function visibleCustomerTags(tenantId: string, visitorId: string, role: Role) {
    const ids = await deps.tags.customerTags(tenantId, visitorId);
    return visibleIds(tenantId, ids, role);
  }

  async function visibleIds(tenantId: string, ids: string[], role: Role) {
    if (ids.length === 0) return ids;
    const hidden = await hiddenTagIds(deps.tags, tenantId, role);
    return ids.filter((id) => !hidden.has(id));
  }

  async function sessionTags(tenantId: string, sessionId: string, role: Role) {
    const doc = await deps.sessions.get(tenantId, sessionId);
    return { sessionId, tags: await visibleIds(tenantId, doc?.tags ?? [], role) };
  }

  api.add({
    method: 'get',
    path: '/api/v1/customers/:visitorId/tags',
    tag: 'tags',
    summary: 'A customer’s tags (those the caller may see)',
    roles: setters,
    params: customerParams,
    responses: { 200: { description: 'Tag ids', schema: customerTagsView } },
    errors: { 404: 'No such customer' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await knownCustomer(tenantId, params.visitorId);
      const tags = await visibleCustomerTags(tenantId, params.visitorId, roleOf(principal));
      return { status: 200, body: { visitorId: params.visitorId, tags } };
    },
  });

  for (const on of [true, false]) {
    api.add({
      method: on ? 'put' : 'delete',
      path: '/api/v1/customers/:visitorId/tags/:tagId',
      tag: 'tags',
      summary: on ? 'Tag a customer (idempotent)' : 'Take a tag off a customer',
      roles: setters,
      params: customerTagParams,
      responses: { 200: { description: 'The customer’s tags now', schema: customerTagsView } },
      errors: {
        404: 'No such customer or tag',
        422: 'The tag targets sessions',
      },
      async handle({ params, principal }) {
        const tenantId = tenantOf(principal);
        await knownCustomer(tenantId, params.visitorId);
        await settableTag(tenantId, params.tagId, 'customer', principal);
        if (on) await deps.tags.tagCustomer(tenantId, params.visitorId, params.tagId);
        else await deps.tags.untagCustomer(tenantId, params.visitorId, params.tagId);
        const tags = await visibleCustomerTags(tenantId, params.visitorId, roleOf(principal));
        return { status: 200, body: { visitorId: params.visitorId, tags } };
      },
    });

    api.add({
      method: on ? 'put' : 'delete',
      path: '/api/v1/sessions/:sessionId/tags/:tagId',
      tag: 'tags',
      summary: on
        ? 'Tag a session (agents: their own sessions; idempotent)'
        : 'Take a tag off a session (agents: their own sessions)',
      roles: setters,
      params: sessionTagParams,
      responses: { 200: { description: 'The session’s tags now', schema: sessionTagsView } },
      errors: {
        404: 'No such session or tag',
        422: 'The tag targets customers',
      },
      async handle({ params, principal }) {
        const tenantId = tenantOf(principal);
        await taggableSession(tenantId, params.sessionId, principal);
        await settableTag(tenantId, params.tagId, 'session', principal);
        await deps.sessions.setTag(tenantId, params.sessionId, params.tagId, on);
        return {
          status: 200,
          body: await sessionTags(tenantId, params.sessionId, roleOf(principal)),
        };
      },
    });
  }
}
