import { z } from 'zod';
import { channels, entryTypes, opaqueId } from './session';

/**
 * Routing rules: which agent group serves a session, and with what priority.
 * Rules are tried in order; the first whose every condition holds wins; when
 * none does, the default group at the default priority.
 */

/** Higher is served first; FIFO within a priority. */
export const priorityRange = { min: 0, max: 9 } as const;
const priority = z.number().int().min(priorityRange.min).max(priorityRange.max);

export const routingRuleSchema = z.strictObject({
  /** Each condition is optional; an absent one matches everything. */
  when: z.strictObject({
    channels: z.array(z.enum(channels)).min(1).optional(),
    entryTypes: z.array(z.enum(entryTypes)).min(1).optional(),
    /**
     * Matches when the visitor has at least one of these tags: the customer's
     * stored tags (with a verified identity's claimed ones), never tags the
     * shopper's browser declares (api/use-cases/start-session.ts).
     */
    anyTag: z.array(z.string().trim().min(1).max(40)).min(1).optional(),
  }),
  groupId: opaqueId,
  priority: priority.default(0),
});

export const routingPolicySchema = z.strictObject({
  rules: z.array(routingRuleSchema).max(100).default([]),
  defaultGroupId: opaqueId,
  defaultPriority: priority.default(0),
});

export type RoutingRule = z.infer<typeof routingRuleSchema>;
export type RoutingPolicy = z.infer<typeof routingPolicySchema>;

/** Every agent group a policy routes to, with where it names it (`rules.2.groupId`). */
export function routingGroupRefs(policy: {
  rules: readonly Pick<RoutingRule, 'groupId'>[];
  defaultGroupId: string;
}): { path: string; groupId: string }[] {
  return [
    ...policy.rules.map((rule, index) => ({
      path: `rules.${index}.groupId`,
      groupId: rule.groupId,
    })),
    { path: 'defaultGroupId', groupId: policy.defaultGroupId },
  ];
}

export { routeSession, type RoutingFacts, type RoutingTarget } from './route-session';
