import type { FlowInput } from '../../domain/flow';
import { workingHoursSchema } from '../../domain/working-hours';
import { apiKeyStore } from '../../stores/api-keys';
import { faqStore } from '../../stores/faqs';
import { hoursStore } from '../../stores/hours';
import type { TestEngine } from './engine';

export const staffPassword = 'correct horse battery';

export interface ConsoleTenant {
  tenantId: string;
  adminKey: string;
}

/** Calls the tenant API as its admin; fails the test on any non-2xx answer. */
export async function asAdmin(
  engine: TestEngine,
  tenant: ConsoleTenant,
  method: 'PUT' | 'POST' | 'PATCH',
  path: string,
  body: unknown,
): Promise<unknown> {
  const response = await fetch(`${engine.app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${tenant.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer: unknown = await response.json();
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * A tenant of its own for a browser test: English flow routed to `sales`,
 * the FAQ the shopper asks about, and staff with passwords — set up through
 * the public admin API (the FAQ and the key through the stores the API uses).
 */
export async function consoleTenant(
  engine: TestEngine,
  options: {
    reserve: boolean;
    staff: { agentId: string; role: 'agent' | 'supervisor'; capacity: number }[];
    flow?: FlowInput;
    closed?: boolean;
  },
): Promise<ConsoleTenant> {
  const tenantId = await engine.createTenant({
    locale: 'en',
    routing: { defaultGroupId: 'sales' },
    ...options.flow,
  });
  const adminKey = (await apiKeyStore(engine.db).create(tenantId, 'browser test', 'admin')).key;
  const tenant = { tenantId, adminKey };
  await faqStore(engine.db).add(tenantId, {
    question: 'How do I return an item?',
    similar: ['return policy'],
    keywords: ['return', 'refund'],
    answer: 'Request a return from "My orders" within 7 days of delivery.',
  });
  await faqStore(engine.db).add(tenantId, {
    question: 'When will my order ship?',
    similar: ['shipping time'],
    keywords: ['ship', 'shipping'],
    answer: 'Items in stock ship within 48 hours of payment.',
  });
  await asAdmin(engine, tenant, 'PUT', '/api/v1/groups/sales', {
    strategy: 'least-load',
    reserve: options.reserve,
  });
  for (const person of options.staff) {
    await asAdmin(engine, tenant, 'PUT', `/api/v1/agents/${person.agentId}`, {
      role: person.role,
      capacity: person.capacity,
      groups: ['sales'],
      password: staffPassword,
    });
  }
  if (options.closed) {
    // No opening hours at all: every request for a person meets the off-hours form.
    await hoursStore(engine.db).put(
      tenantId,
      'sales',
      'reception',
      workingHoursSchema.parse({ timeZone: 'UTC', weekly: {} }),
    );
  }
  return tenant;
}
