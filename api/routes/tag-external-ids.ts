import { z } from 'zod';
import type { Principal, Role } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import { tagVisibleTo } from '../../domain/tags';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import { tenantOf } from '../auth/authenticate';
import type { AuditTrail } from '../audit-trail';
import { AppError, fieldProblems } from '../errors';
import type { endpoints } from '../http/endpoint';
import { invalidReference } from '../use-cases/references';
import { settableTag, visibleTagIds } from '../use-cases/tag-visibility';
import { customerTagsView, sessionTagsView, tagView } from '../views';

/**
 * Tags by another system's ids: a platform's external id maps to one tag of
 * the tenant (unique per tenant and platform), customers and sessions are
 * tagged by it, and a bulk import applies a file of assignments row by row.
 * Over ~300 lines: the one external-id vocabulary (platform, lookup,
 * visibility for agents) is applied the same way by all of these routes.
 */
export interface TagExternalIdDeps {
  tags: TagStore;
  sessions: Pick<SessionStore, 'search' | 'get' | 'setTag'>;
  audit: AuditTrail;
}

/** A platform is a short name the tenant picks for a system (`erp`, `crm`). */
const platform = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, { message: 'must be 1-32 letters, digits, _ or -' });
/** Whatever the other system calls its tag: opaque to us. */
const externalId = z.string().min(1).max(200);

const tagParams = z.strictObject({ tagId: opaqueId });
const mappingParams = tagParams.extend({ platform });
const externalParams = z.strictObject({ platform, externalId });
const customerExternalParams = externalParams.extend({ visitorId: opaqueId });
const sessionExternalParams = externalParams.extend({ sessionId: opaqueId });

const externalIdsView = z.object({
  tagId: z.string(),
  items: z.array(z.object({ platform: z.string(), externalId: z.string() })),
});

export const maxImportRows = 1000;
const importRow = z.strictObject({
  visitorId: opaqueId,
  externalId,
  action: z.enum(['add', 'remove']).default('add'),
});
/** Rows are checked one by one (a bad row is reported, not refused): the whole body only for its shape. */
const importBody = z.strictObject({
  platform,
  rows: z
    .array(z.unknown())
    .min(1)
    .max(maxImportRows)
    .describe(
      'Each `{ visitorId, externalId, action?: "add" | "remove" }`; `action` is `add` when left out',
    ),
});
const rowReport = z.object({
  row: z.number().int(),
  status: z.enum(['applied', 'unchanged', 'error']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
type RowReport = z.infer<typeof rowReport>;
const importReport = z.object({
  platform: z.string(),
  applied: z.number().int(),
  unchanged: z.number().int(),
  errors: z.number().int(),
  rows: z.array(rowReport),
});

/** Mapping writes are configuration: admins, and the merchant's system that owns the other ids. */
const mappers = ['admin', 'integration'] as const;
/** As on the customer tag routes: integration keys set external tags; people set manual ones. */
const setters = ['admin', 'integration', 'supervisor', 'agent'] as const;

const roleOf = (principal: Principal | undefined): Role => principal?.role ?? 'agent';
const notFound = (what: string) => new AppError(404, 'not_found', `No ${what}`);

/**
 * Tags' ids on other platforms (`/api/v1/tags/:tagId/external-ids`), and
 * reading and setting customers' tags by those ids, one at a time or as a
 * bulk import with a report per row. Setting goes through the same store
 * call as the customer tag routes, so each change is a `tag.added` or
 * `tag.removed` event as there.
 */
export function tagExternalIdRoutes(api: ReturnType<typeof endpoints>, deps: TagExternalIdDeps) {
  /** The tag the path names, if the caller may see it (404 otherwise, as on GET /tags/:tagId). */
  async function visibleTag(tenantId: string, tagId: string, role: Role) {
    const tag = await deps.tags.getTag(tenantId, tagId);
    if (!tag || !tagVisibleTo(tag, role)) throw notFound(`tag ${tagId}`);
    return tag;
  }

  /** A customer is a visitor who has opened at least one session with the tenant (as customer-tags.ts). */
  async function isCustomer(tenantId: string, visitorId: string): Promise<boolean> {
    const [any] = await deps.sessions.search(tenantId, { visitorId }, 1);
    return any !== undefined;
  }

  /**
   * The tag an external id names: a reference in the request, so 422 naming
   * `path` when the tenant has none (or, to an agent, one it may not see).
   */
  async function referencedTag(tenantId: string, on: string, id: string, role: Role) {
    const tag = await deps.tags.tagByExternalId(tenantId, on, id);
    if (!tag || !tagVisibleTo(tag, role)) {
      throw invalidReference([{ path: 'externalId', message: `no tag with ${on} id ${id}` }]);
    }
    return tag;
  }

  api.add({
    method: 'get',
    path: '/api/v1/tags/:tagId/external-ids',
    tag: 'tags',
    summary: 'The tag’s ids on other platforms',
    roles: ['admin', 'integration', 'supervisor', 'agent'],
    params: tagParams,
    responses: { 200: { description: 'One id per platform', schema: externalIdsView } },
    errors: { 404: 'No such tag (or not visible to agents)' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await visibleTag(tenantId, params.tagId, roleOf(principal));
      const items = await deps.tags.externalIds(tenantId, params.tagId);
      return { status: 200, body: { tagId: params.tagId, items } };
    },
  });

  api.add({
    method: 'put',
    path: '/api/v1/tags/:tagId/external-ids/:platform',
    tag: 'tags',
    summary: 'Set the tag’s id on a platform (replacing its earlier one there)',
    description:
      'An external id names one tag per platform: mapping one another tag holds is 409 `conflict`, its `fields` naming `externalId` and its `tagId` the tag that holds it.',
    roles: mappers,
    params: mappingParams,
    body: z.strictObject({ externalId }),
    responses: { 200: { description: 'The tag’s ids now', schema: externalIdsView } },
    errors: { 404: 'No such tag', 409: 'Another tag holds the external id on this platform' },
    async handle({ params, body, principal }) {
      const tenantId = tenantOf(principal);
      await visibleTag(tenantId, params.tagId, roleOf(principal));
      const result = await deps.tags.mapExternalId(
        tenantId,
        params.tagId,
        params.platform,
        body.externalId,
      );
      if (!result.mapped) {
        throw new AppError(
          409,
          'conflict',
          `externalId: ${params.platform} id ${body.externalId} is held by tag ${result.heldBy}`,
          {
            fields: [{ path: 'externalId', message: `held by tag ${result.heldBy}` }],
            tagId: result.heldBy,
          },
        );
      }
      await deps.audit.record(principal, tenantId, {
        action: 'tag.external_id_set',
        target: { type: 'tag', id: params.tagId },
      });
      const items = await deps.tags.externalIds(tenantId, params.tagId);
      return { status: 200, body: { tagId: params.tagId, items } };
    },
  });

  api.add({
    method: 'delete',
    path: '/api/v1/tags/:tagId/external-ids/:platform',
    tag: 'tags',
    summary: 'Remove the tag’s id on a platform',
    roles: mappers,
    params: mappingParams,
    responses: { 204: { description: 'Removed' } },
    errors: { 404: 'No such tag, or it has no id on the platform' },
    async handle({ params, principal }) {
      const tenantId = tenantOf(principal);
      await visibleTag(tenantId, params.tagId, roleOf(principal));
      if (!(await deps.tags.unmapExternalId(tenantId, params.tagId, params.platform))) {
        throw notFound(`${params.platform} id for tag ${params.tagId}`);
      }
      await deps.audit.record(principal, tenantId, {
        action: 'tag.external_id_removed',
        target: { type: 'tag', id: params.tagId },
      });
      return { status: 204 };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/tags/by-external-id/:platform/:externalId',
    tag: 'tags',
    summary: 'The tag a platform’s id names',
    roles: ['admin', 'integration', 'supervisor', 'agent'],
    params: externalParams,
    responses: { 200: { description: 'The tag', schema: tagView } },
    errors: { 404: 'No tag has that id on the platform (or it is not visible to agents)' },
    async handle({ params, principal }) {
      const tag = await deps.tags.tagByExternalId(
        tenantOf(principal),
        params.platform,
        params.externalId,
      );
      if (!tag || !tagVisibleTo(tag, roleOf(principal))) {
        throw notFound(`tag with ${params.platform} id ${params.externalId}`);
      }
      return { status: 200, body: tag };
    },
  });

  for (const on of [true, false]) {
    api.add({
      method: on ? 'put' : 'delete',
      path: '/api/v1/customers/:visitorId/tags/by-external-id/:platform/:externalId',
      tag: 'tags',
      summary: on
        ? 'Tag a customer by the tag’s id on a platform (idempotent)'
        : 'Take a tag off a customer by the tag’s id on a platform',
      roles: setters,
      params: customerExternalParams,
      responses: { 200: { description: 'The customer’s tags now', schema: customerTagsView } },
      errors: {
        404: 'No such customer',
        422: 'No tag has that id on the platform (`invalid_reference` naming `externalId`), or the tag targets sessions',
      },
      async handle({ params, principal }) {
        const tenantId = tenantOf(principal);
        const role = roleOf(principal);
        if (!(await isCustomer(tenantId, params.visitorId))) {
          throw notFound(`customer ${params.visitorId}`);
        }
        const tag = await referencedTag(tenantId, params.platform, params.externalId, role);
        await settableTag(deps.tags, tenantId, tag.tagId, 'customer', role);
        if (on) await deps.tags.tagCustomer(tenantId, params.visitorId, tag.tagId);
        else await deps.tags.untagCustomer(tenantId, params.visitorId, tag.tagId);
        const ids = await deps.tags.customerTags(tenantId, params.visitorId);
        const tags = await visibleTagIds(deps.tags, tenantId, ids, role);
        return { status: 200, body: { visitorId: params.visitorId, tags } };
      },
    });
  }

  for (const on of [true, false]) {
    api.add({
      method: on ? 'put' : 'delete',
      path: '/api/v1/sessions/:sessionId/tags/by-external-id/:platform/:externalId',
      tag: 'tags',
      summary: on
        ? 'Tag a session by the tag’s id on a platform (agents: their own sessions; idempotent)'
        : 'Take a tag off a session by the tag’s id on a platform (agents: their own sessions)',
      roles: setters,
      params: sessionExternalParams,
      responses: { 200: { description: 'The session’s tags now', schema: sessionTagsView } },
      errors: {
        404: 'No such session',
        422: 'No tag has that id on the platform (`invalid_reference` naming `externalId`), or the tag targets customers',
      },
      async handle({ params, principal }) {
        const tenantId = tenantOf(principal);
        const role = roleOf(principal);
        // As session-tags.ts: agents tag only their own sessions; others' are not found.
        const session = await deps.sessions.get(tenantId, params.sessionId);
        if (!session || (principal?.role === 'agent' && session.agentId !== principal.agentId)) {
          throw notFound(`session ${params.sessionId}`);
        }
        const tag = await referencedTag(tenantId, params.platform, params.externalId, role);
        await settableTag(deps.tags, tenantId, tag.tagId, 'session', role);
        await deps.sessions.setTag(tenantId, params.sessionId, tag.tagId, on);
        const now = await deps.sessions.get(tenantId, params.sessionId);
        const tags = await visibleTagIds(deps.tags, tenantId, now?.tags ?? [], role);
        return { status: 200, body: { sessionId: params.sessionId, tags } };
      },
    });
  }

  api.add({
    method: 'post',
    path: '/api/v1/tags/external-assignments/import',
    tag: 'tags',
    summary:
      'Add or remove customers’ tags named by a platform’s ids, in bulk, with a report per row',
    description: `At most ${maxImportRows} rows, applied in order, each as PUT or DELETE /api/v1/customers/:visitorId/tags/:tagId would (a \`tag.added\` or \`tag.removed\` event per change). A bad row (its shape, an unknown external id, a visitor who is not a customer, a tag the caller may not set) is reported with its error and the others go on; a body that is not an import is 400 and nothing is written.`,
    roles: mappers,
    body: importBody,
    responses: { 200: { description: 'One report per row, and the counts', schema: importReport } },
    async handle({ body, principal }) {
      const tenantId = tenantOf(principal);
      const role = roleOf(principal);
      const customers = new Map<string, boolean>();
      const reports: RowReport[] = [];
      // In order, one at a time: two rows on one customer and tag apply as written.
      for (const [row, raw] of body.rows.entries()) {
        reports.push({ row, ...(await applyRow(raw)) });
      }
      const count = (status: RowReport['status']) =>
        reports.filter((r) => r.status === status).length;
      return {
        status: 200,
        body: {
          platform: body.platform,
          applied: count('applied'),
          unchanged: count('unchanged'),
          errors: count('error'),
          rows: reports,
        },
      };

      async function applyRow(raw: unknown): Promise<Omit<RowReport, 'row'>> {
        const parsed = importRow.safeParse(raw);
        if (!parsed.success) {
          const problems = fieldProblems(parsed.error, '(row)');
          const message = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
          return { status: 'error', error: { code: 'invalid_request', message } };
        }
        const { visitorId, action } = parsed.data;
        try {
          const tag = await referencedTag(tenantId, body.platform, parsed.data.externalId, role);
          let known = customers.get(visitorId);
          if (known === undefined) {
            known = await isCustomer(tenantId, visitorId);
            customers.set(visitorId, known);
          }
          if (!known)
            throw invalidReference([{ path: 'visitorId', message: `no customer ${visitorId}` }]);
          await settableTag(deps.tags, tenantId, tag.tagId, 'customer', role);
          const on = action === 'add';
          const had = (await deps.tags.customerTags(tenantId, visitorId)).includes(tag.tagId);
          if (on) await deps.tags.tagCustomer(tenantId, visitorId, tag.tagId);
          else await deps.tags.untagCustomer(tenantId, visitorId, tag.tagId);
          return { status: had === on ? 'unchanged' : 'applied' };
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return { status: 'error', error: { code: error.code, message: error.message } };
        }
      }
    },
  });
}
