import type { FlowInput } from '../../domain/flow';
import type { GroupRouting } from '../../domain/agents';
import { issueAgentToken } from '../../runtime/tokens';
import { faqStore } from '../../stores/faqs';
import { tenantStore } from '../../stores/tenants';
import { activityDeps } from '../../workers/session-worker';
import { benchTokenSecret } from './engine';
import type { BenchStack } from './stack';

/** The robot's answer to the benchmarks' question ("when will my order ship?"). */
export const faqAnswer = 'Orders ship within 24 hours.';

export interface BenchTenantOptions {
  flow?: FlowInput;
  group?: GroupRouting;
  /** Agents agent0…agentN-1 of the default group, each set online; none leaves sessions queued. */
  agents: number;
  capacity: number;
}

/**
 * A tenant as the benchmarks use it: one FAQ entry the robot answers, the
 * default group and its agents online. Returns a token for each agent.
 */
export async function setUpBenchTenant(
  b: BenchStack,
  tenantId: string,
  options: BenchTenantOptions,
): Promise<string[]> {
  await tenantStore(b.mongo.db).ensure(tenantId, 'Bench shop', { locale: 'en', ...options.flow });
  await faqStore(b.mongo.db).add(tenantId, {
    question: 'When will my order ship?',
    keywords: ['ship'],
    answer: faqAnswer,
  });
  const { routing } = activityDeps(b.mongo.db, b.redis, b.temporal.client);
  // Bench agents are set online with no console socket (or connect one after assignment).
  await routing.configurePresence(tenantId, { mode: 'manual' });
  await routing.configureGroup(tenantId, 'default', options.group ?? {});
  const tokens: string[] = [];
  for (let i = 0; i < options.agents; i++) {
    const agentId = `agent${i}`;
    await routing.configureAgent(tenantId, {
      agentId,
      capacity: options.capacity,
      groups: ['default'],
    });
    await routing.setStatus(tenantId, agentId, 'online');
    tokens.push(
      issueAgentToken(benchTokenSecret, { tenantId, agentId, role: 'agent' }, 4 * 3600).token,
    );
  }
  return tokens;
}
