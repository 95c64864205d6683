import { z } from 'zod';
import type { Principal, Role } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { settableTag, visibleTagIds } from '../use-cases/tag-visibility';
import { sessionTagsView } from '../views';

export interface SessionTagDeps {
  tags: TagStore;
  sessions: Pick<SessionStore, 'get' | 'setTag'>;
}

const sessionTagParams = z.strictObject({ sessionId: opaqueId, tagId: opaqueId });
/** Integration keys set external tags; people set manual ones. */
const setters = ['admin', 'integration', 'supervisor', 'agent'] as const;

const roleOf = (principal: Principal | undefined): Role => principal?.role ?? 'agent';

/**
 * `/api/v1/sessions/:sessionId/tags/:tagId`: tagging a session, under each
 * tag's kind, target and visibility. A customer's tags are in customer-tags.ts.
 */
export function sessionTagRoutes(api: ReturnType<typeof endpoints>, deps: SessionTagDeps) {
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

  async function sessionTags(tenantId: string, sessionId: string, role: Role) {
    const doc = await deps.sessions.get(tenantId, sessionId);
    return { sessionId, tags: await visibleTagIds(deps.tags, tenantId, doc?.tags ?? [], role) };
  }

  for (const on of [true, false]) {
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
        await settableTag(deps.tags, tenantId, params.tagId, 'session', roleOf(principal));
        await deps.sessions.setTag(tenantId, params.sessionId, params.tagId, on);
        return {
          status: 200,
          body: await sessionTags(tenantId, params.sessionId, roleOf(principal)),
        };
      },
    });
  }
}
