import { z } from 'zod';
import { agentStatuses, assignmentStrategies } from '../../domain/agents';
import { statusReasons } from '../../domain/presence';
import { sessionPhases } from '../../domain/session';
import { staffRoles } from '../../domain/staff-roles';
import type { AgentDoc, GroupDoc, StaffDoc } from '../../stores/collections';
import { isoTime } from '../http/schemas';

/**
 * Agents and groups: routing's record (capacity, groups, presence) joined
 * with the staff account (name, role, password, active); their load and
 * queues now; and what closing an account handed back.
 */

export const groupView = z.object({
  groupId: z.string(),
  strategy: z.enum(assignmentStrategies),
  reserve: z.boolean(),
  overflowGroupId: z.string().optional(),
});

export const toGroupView = (g: GroupDoc) => ({
  groupId: g.groupId,
  strategy: g.strategy,
  reserve: g.reserve,
  ...(g.overflowGroupId ? { overflowGroupId: g.overflowGroupId } : {}),
});

export const agentView = z.object({
  agentId: z.string(),
  name: z.string().optional(),
  role: z.enum(staffRoles),
  capacity: z.number(),
  groups: z.array(z.string()),
  status: z.enum(agentStatuses),
  /** Present while the engine chose the status: `disconnected` (no console for the grace). */
  statusReason: z.enum(statusReasons).optional(),
  hasPassword: z.boolean(),
  /** False while deactivated: no login, no tokens, offline. */
  active: z.boolean(),
});

/** An agent from its routing record and its staff account (absent: an agent with no login yet). */
export const toAgentView = (routing: AgentDoc, staff: StaffDoc | null | undefined) => ({
  agentId: routing.agentId,
  ...(staff?.name ? { name: staff.name } : {}),
  role: staff?.role ?? 'agent',
  capacity: routing.capacity,
  groups: routing.groups,
  status: routing.status,
  ...(routing.statusReason ? { statusReason: routing.statusReason } : {}),
  hasPassword: Boolean(staff?.passwordHash),
  active: staff?.active !== false,
});

export const agentLoad = z.object({
  agentId: z.string(),
  name: z.string().optional(),
  status: z.enum(agentStatuses),
  statusReason: z.enum(statusReasons).optional(),
  load: z.number(),
  capacity: z.number(),
  groups: z.array(z.string()),
});

/** An agent's presence and load now (`load`: the sessions routing counts against its seats). */
export const toAgentLoad = (
  routing: AgentDoc,
  staff: StaffDoc | null | undefined,
  load: number,
) => ({
  agentId: routing.agentId,
  ...(staff?.name ? { name: staff.name } : {}),
  status: routing.status,
  ...(routing.statusReason ? { statusReason: routing.statusReason } : {}),
  load,
  capacity: routing.capacity,
  groups: routing.groups,
});

export const groupQueue = z.object({
  groupId: z.string(),
  queueLength: z.number(),
  /** How long the longest-waiting session of the group has waited, in ms (0 when none). */
  longestWaitMs: z.number(),
});

export const liveStatsView = z.object({
  at: isoTime,
  groups: z.array(groupQueue),
  agents: z.array(agentLoad),
  /** Open sessions per phase now; closed/rated count sessions started since `from`. */
  phases: z.record(z.enum(sessionPhases), z.number()),
  today: z.object({
    from: isoTime,
    sessions: z.number(),
    /**
     * Mean ms of first response (reports' definition: the first shopper
     * message to a person to a person's first reply, both stored message
     * times), over sessions that ended since `from`.
     */
    firstResponseMs: z.number().min(0).optional(),
    /** Share (0–1) of assigned sessions whose agent replied at all. */
    replyRate: z.number().optional(),
    /** Share (0–1) of ratings that are 4 or 5. */
    satisfaction: z.number().optional(),
    ratings: z.number(),
    meanScore: z.number().optional(),
  }),
});
export type LiveStats = z.infer<typeof liveStatsView>;

export const handedBackView = z
  .object({
    requeued: z.array(z.string()),
    closed: z.array(z.string()),
  })
  .meta({
    description:
      'Sessions the account held or was offered: back to their group’s queue (or on to a free agent there), or closed when no group was left',
  });

export const closedAccountView = z.object({
  agentId: z.string(),
  active: z.boolean(),
  sessions: handedBackView,
});
