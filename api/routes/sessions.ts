import { z } from 'zod';
import { roles } from '../../domain/access';
import { startSessionSchema } from '../../domain/identity';
import { opaqueId, sessionPhases } from '../../domain/session';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { isoTime, limitQuery } from '../http/schemas';
import { startSession, type StartSessionDeps } from '../use-cases/start-session';
import { hiddenTagIds } from '../use-cases/tag-visibility';
import { sessionView, startedSession, toSessionView } from '../views';

export interface SessionDeps {
  /** Opening chat: the shopper's identity, the tenant, the workflow. */
  start: StartSessionDeps;
  sessions: SessionStore;
  tags: TagStore;
}

const date = isoTime.transform((s) => new Date(s));

/**
 * `/api/v1/sessions`: opening chat (the widget, no credential: who the
 * shopper is decides whose chat it is), and the stored sessions staff and
 * integrations search and read. A session's live state and the commands on
 * it are in session-commands.ts; its messages in session-messages.ts.
 */
export function sessionRoutes(api: ReturnType<typeof endpoints>, deps: SessionDeps) {
  api.add({
    method: 'post',
    path: '/api/v1/sessions',
    tag: 'sessions',
    summary: 'Open chat for a visitor: start a session, or attach to their open one',
    description:
      'Who the shopper is decides whose chat this is. A verified shopper sends `visitor.id` with `visitor.hash` (hex HMAC-SHA256 of the id with the tenant’s identity secret) or `visitor.token` (a JWT, HS256, `sub` = id, `exp` within 24 h); an anonymous shopper sends no id, or the `visitor.credential` an earlier open returned. A bare `visitor.id` is refused: knowing an id never opens that visitor’s chat. Browser-declared `visitor.tags` are ignored; routing and auto tags read the stored customer profile and verified claims.',
    roles: 'public',
    body: startSessionSchema,
    responses: {
      201: { description: 'A new session was started', schema: startedSession },
      200: {
        description: 'The visitor already had an open session; attached to it',
        schema: startedSession,
      },
    },
    errors: {
      404: 'No such tenant',
      401: '`identity_unverified`: an id without hash or token; `identity_invalid`: a hash, token or credential that does not check out (wrong or rotated-out secret, expired, another tenant’s, an `anon-` id claimed), named in the message',
      403: '`identity_required`: the tenant requires verified identity and the shopper is anonymous; `tenant_suspended`: the tenant is suspended',
    },
    async handle({ body }) {
      const started = await startSession(deps.start, body);
      return { status: started.attached ? 200 : 201, body: started };
    },
  });
  api.add({
    method: 'get',
    path: '/api/v1/sessions',
    tag: 'sessions',
    summary: 'Search sessions by phase, agent, group, visitor, tag and start time, newest first',
    roles: roles.staff,
    query: z.strictObject({
      phase: z.enum(sessionPhases).optional(),
      agentId: opaqueId.optional(),
      groupId: opaqueId.optional(),
      visitorId: opaqueId.optional(),
      tag: opaqueId.optional().meta({ description: 'A tag id the session carries' }),
      from: date.optional().meta({ description: 'Started at or after (ISO time)' }),
      to: date.optional().meta({ description: 'Started before (ISO time)' }),
      before: date.optional().meta({ description: 'Next page: the last item’s startedAt' }),
      limit: limitQuery,
    }),
    responses: {
      200: { description: 'Sessions', schema: z.object({ items: z.array(sessionView) }) },
    },
    async handle({ query, principal }) {
      const tenantId = tenantOf(principal);
      // Agents see their own sessions only.
      const agentId = principal?.role === 'agent' ? principal.agentId : query.agentId;
      const hidden = await hiddenTagIds(deps.tags, tenantId, principal?.role ?? 'agent');
      // A tag the caller may not see matches nothing, so filtering cannot reveal it.
      if (query.tag !== undefined && hidden.has(query.tag)) {
        return { status: 200, body: { items: [] } };
      }
      const { limit, phase, ...rest } = query;
      const docs = await deps.sessions.search(
        tenantId,
        { ...rest, ...(phase ? { phase: [phase] } : {}), ...(agentId ? { agentId } : {}) },
        limit,
      );
      return { status: 200, body: { items: docs.map((s) => toSessionView(s, hidden)) } };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/sessions/:sessionId',
    tag: 'sessions',
    summary: 'One session',
    roles: roles.staff,
    params: z.strictObject({ sessionId: opaqueId }),
    responses: { 200: { description: 'The session', schema: sessionView } },
    errors: { 404: 'No such session' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      const doc = await deps.sessions.get(tenantId, params.sessionId);
      if (!doc || (principal?.role === 'agent' && doc.agentId !== principal.agentId)) {
        throw new AppError(404, 'not_found', `No session ${params.sessionId}`);
      }
      const hidden = await hiddenTagIds(deps.tags, tenantId, principal?.role ?? 'agent');
      return { status: 200, body: toSessionView(doc, hidden) };
    },
  });
}
