import type { RoutingRule, RoutingPolicy } from './routing-rules';
import type { Channel, EntryType } from './session';

/**
 * The routing decision itself: the first rule whose every condition holds,
 * else the default group. Types only from the schemas' modules, so the
 * session workflow routes without building zod schemas in every workflow.
 */

export interface RoutingFacts {
  channel: Channel;
  entryType: EntryType;
  visitorTags: readonly string[];
}

export interface RoutingTarget {
  groupId: string;
  priority: number;
  /** Index of the rule that matched; undefined for the default. */
  ruleIndex?: number;
}

function matches(rule: RoutingRule, facts: RoutingFacts): boolean {
  const { channels: ch, entryTypes: et, anyTag } = rule.when;
  if (ch && !ch.includes(facts.channel)) return false;
  if (et && !et.includes(facts.entryType)) return false;
  if (anyTag && !anyTag.some((tag) => facts.visitorTags.includes(tag))) return false;
  return true;
}

export function routeSession(policy: RoutingPolicy, facts: RoutingFacts): RoutingTarget {
  const ruleIndex = policy.rules.findIndex((rule) => matches(rule, facts));
  const rule = policy.rules[ruleIndex];
  if (rule) return { groupId: rule.groupId, priority: rule.priority, ruleIndex };
  return { groupId: policy.defaultGroupId, priority: policy.defaultPriority };
}
