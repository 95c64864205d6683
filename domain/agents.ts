import { z } from 'zod';
import { opaqueId } from './session';

/** Agent presence, capacity and skills, as routing sees them. */

/**
 * `online` takes new sessions; `busy` (after-session work, a call) keeps the
 * sessions held but takes no new ones, as `away` and `offline` do.
 */
export const agentStatuses = ['online', 'busy', 'away', 'offline'] as const;
export type AgentStatus = (typeof agentStatuses)[number];

export const assignmentStrategies = ['least-load', 'round-robin'] as const;
export type AssignmentStrategy = (typeof assignmentStrategies)[number];

export const agentRoutingSchema = z.strictObject({
  agentId: opaqueId,
  /** Most sessions the agent handles at once; 0 takes the agent out of routing. */
  capacity: z.number().int().min(0).max(50),
  groups: z.array(opaqueId).min(1).max(20),
});
export type AgentRouting = z.infer<typeof agentRoutingSchema>;

export const groupRoutingSchema = z.strictObject({
  strategy: z.enum(assignmentStrategies).default('least-load'),
  /** Agents must accept an offer within the flow's reservation timeout. */
  reserve: z.boolean().default(false),
  /** Where sessions go when this group's queue is too long or too slow; none means leave a message. */
  overflowGroupId: opaqueId.optional(),
});
export type GroupRouting = z.input<typeof groupRoutingSchema>;
export type GroupRoutingSettings = z.output<typeof groupRoutingSchema>;

/** A decision of the router: this session goes to this agent. */
export interface Assignment {
  sessionId: string;
  agentId: string;
  groupId: string;
  /** Epoch ms of the decision. */
  assignedAt: number;
  /** True when the agent must still accept (reservation groups). */
  offer?: boolean;
}
