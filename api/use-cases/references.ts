import type { Flow } from '../../domain/flow';
import { routingGroupRefs } from '../../domain/routing-rules';
import type { AgentStore } from '../../stores/agents';
import type { FlowStore } from '../../stores/flows';
import type { HoursStore } from '../../stores/hours';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import { AppError, type FieldProblem } from '../errors';

/**
 * Referential integrity at the API, one check per kind of thing referred to.
 *
 * - A request that names something (an agent's groups, a flow's routing
 *   groups, a schedule's group, a ticket's assignee, a tag's tag group) gets
 *   422 `invalid_reference` with `fields` naming each id that is not in the
 *   caller's tenant, before anything is written. Ids of another tenant are
 *   simply not found: lookups are keyed by tenant.
 * - Removing something still referred to is 409 `still_referenced` with
 *   `referrers`: each kind of referrer and its ids (at most `referrerCap`
 *   each, `more: true` when there are more), so the caller can fix them
 *   first. Where users expect the removal to carry on through (a tag comes
 *   off every customer and session), the route says so and cascades instead.
 *
 * Routes call these; the lookups themselves live in stores/.
 */

export interface GroupRef {
  /** Where the request names the group, e.g. `flow.routing.rules.0.groupId`. */
  path: string;
  groupId: string;
}

export interface Referrer {
  kind: 'agent' | 'group' | 'flow' | 'working-hours' | 'session' | 'tag' | 'ticket';
  ids: string[];
  more?: true;
}

export const referrerCap = 20;

export function invalidReference(fields: FieldProblem[]): AppError {
  return new AppError(
    422,
    'invalid_reference',
    fields.map((f) => `${f.path}: ${f.message}`).join('; '),
    { fields },
  );
}

/** The refs whose group the tenant does not have. */
export async function missingGroups(
  agents: Pick<AgentStore, 'existingGroups'>,
  tenantId: string,
  refs: readonly GroupRef[],
): Promise<GroupRef[]> {
  if (refs.length === 0) return [];
  const known = await agents.existingGroups(
    tenantId,
    refs.map((r) => r.groupId),
  );
  return refs.filter((r) => !known.has(r.groupId));
}

/** 422 naming every ref whose group the tenant does not have. */
export async function requireGroups(
  agents: Pick<AgentStore, 'existingGroups'>,
  tenantId: string,
  refs: readonly GroupRef[],
): Promise<void> {
  const missing = await missingGroups(agents, tenantId, refs);
  if (missing.length > 0) {
    throw invalidReference(
      missing.map((r) => ({ path: r.path, message: `no group ${r.groupId}` })),
    );
  }
}

/** The groups a flow routes to, named where a request body holds them (`flow.routing.…`). */
export function flowGroupRefs(flow: Pick<Flow, 'routing'>, prefix = 'flow.'): GroupRef[] {
  return routingGroupRefs(flow.routing).map((ref) => ({
    path: `${prefix}routing.${ref.path}`,
    groupId: ref.groupId,
  }));
}

/** 422 when the tenant has no such agent. */
export async function requireAgent(
  agents: Pick<AgentStore, 'getAgent'>,
  tenantId: string,
  path: string,
  agentId: string,
): Promise<void> {
  const agent = await agents.getAgent(tenantId, agentId);
  if (!agent || agent.tenantId !== tenantId) {
    throw invalidReference([{ path, message: `no agent ${agentId}` }]);
  }
}

/** 422 when the tenant has no such tag group. */
export async function requireTagGroup(
  tags: Pick<TagStore, 'getGroup'>,
  tenantId: string,
  path: string,
  groupId: string,
): Promise<void> {
  if (!(await tags.getGroup(tenantId, groupId))) {
    throw invalidReference([{ path, message: `no tag group ${groupId}` }]);
  }
}

const capped = (kind: Referrer['kind'], ids: string[]): Referrer[] =>
  ids.length === 0
    ? []
    : [
        {
          kind,
          ids: ids.slice(0, referrerCap),
          ...(ids.length > referrerCap ? { more: true as const } : {}),
        },
      ];

export interface GroupReferrerDeps {
  agents: Pick<AgentStore, 'agentsInGroup' | 'groupsOverflowingInto'>;
  flows: Pick<FlowStore, 'current'>;
  hours: Pick<HoursStore, 'ofGroup'>;
  sessions: Pick<SessionStore, 'openInGroup'>;
}

/**
 * What still refers to an agent group: its agents, groups overflowing into
 * it, the current flow's routing (rule or default), its own working hours,
 * and sessions routed to it that are not closed. Closed sessions and tickets
 * keep the id as history and do not hold the group.
 */
export async function groupReferrers(
  deps: GroupReferrerDeps,
  tenantId: string,
  groupId: string,
): Promise<Referrer[]> {
  const over = referrerCap + 1;
  const [agents, groups, flow, hours, sessions] = await Promise.all([
    deps.agents.agentsInGroup(tenantId, groupId, over),
    deps.agents.groupsOverflowingInto(tenantId, groupId, over),
    deps.flows.current(tenantId),
    deps.hours.ofGroup(tenantId, groupId),
    deps.sessions.openInGroup(tenantId, groupId, over),
  ]);
  const flowRefs = flow ? flowGroupRefs(flow.flow, '') : [];
  return [
    ...capped('agent', agents),
    ...capped('group', groups),
    ...capped(
      'flow',
      flowRefs.filter((r) => r.groupId === groupId).map((r) => r.path),
    ),
    ...capped(
      'working-hours',
      hours.map((h) => `${h.groupId}/${h.kind}`),
    ),
    ...capped('session', sessions),
  ];
}

/** What still refers to a tag group: its tags. */
export async function tagGroupReferrers(
  tags: Pick<TagStore, 'listTags'>,
  tenantId: string,
  groupId: string,
): Promise<Referrer[]> {
  const inGroup = await tags.listTags(tenantId, { groupId });
  return capped(
    'tag',
    inGroup.map((t) => t.tagId),
  );
}

/** 409 naming what still refers to `what`; nothing is removed. */
export function stillReferenced(what: string, referrers: Referrer[]): AppError {
  const named = referrers.map((r) => `${r.kind} ${r.ids.join(', ')}${r.more ? ', …' : ''}`);
  return new AppError(
    409,
    'still_referenced',
    `${what} is still referred to by ${named.join('; ')}`,
    {
      referrers,
    },
  );
}
