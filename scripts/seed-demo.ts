import type { Db } from 'mongodb';
import { agentStore } from '../stores/agents';
import { apiKeyStore } from '../stores/api-keys';
import { hashPassword } from '../runtime/secrets';
import { faqStore } from '../stores/faqs';
import { staffStore } from '../stores/staff';
import { tenantStore } from '../stores/tenants';

export const demoTenant = { tenantId: 'demo', name: 'Demo Shop' } as const;

/**
 * Demo staff for the consoles, with a password that is printed by `npm start`:
 * fine for a local demo, and changed (or the accounts replaced) through
 * `PUT /api/v1/agents/{agentId}` anywhere else.
 */
export const demoStaff = {
  password: 'demo-password',
  agents: ['alice', 'bob'],
  supervisor: 'sam',
} as const;

const demoFaq = [
  {
    question: '如何退货？',
    similar: ['退货流程是什么', '我想退货'],
    keywords: ['退货', '退款'],
    answer: '签收后 7 天内可在“我的订单”中申请退货，审核通过后按页面提示寄回即可。',
  },
  {
    question: '什么时候发货？',
    similar: ['多久能发货', '下单后多久发货'],
    keywords: ['发货'],
    answer: '现货商品在付款后 48 小时内发货。',
  },
  {
    question: '运费多少？',
    similar: ['包邮吗'],
    keywords: ['运费', '包邮'],
    answer: '订单满 99 元包邮，不满 99 元收取 8 元运费。',
  },
  {
    question: 'How do I return an item?',
    similar: ['return policy', 'I want to return my order'],
    keywords: ['return', 'refund'],
    answer:
      'Request a return from "My orders" within 7 days of delivery, then ship it back as shown.',
  },
  {
    question: 'When will my order ship?',
    similar: ['shipping time', 'how long until it ships'],
    keywords: ['ship', 'shipping'],
    answer: 'Items in stock ship within 48 hours of payment.',
  },
];

/**
 * Creates the demo tenant once — its default group, two agents and a
 * supervisor, one FAQ set in both languages; later runs leave it (and any edits) alone.
 */
export async function seedDemoTenant(db: Db) {
  const existing = await tenantStore(db).get(demoTenant.tenantId);
  if (existing) return existing;
  const agents = agentStore(db);
  await agents.upsertGroup(demoTenant.tenantId, 'default', {
    strategy: 'least-load',
    reserve: false,
  });
  const staff = staffStore(db);
  const passwordHash = await hashPassword(demoStaff.password);
  for (const agentId of demoStaff.agents) {
    // Routing state in Redis is rebuilt from these records by the worker's healing round.
    await agents.upsertAgent(demoTenant.tenantId, { agentId, capacity: 3, groups: ['default'] });
    await staff.upsert(demoTenant.tenantId, agentId, { role: 'agent', passwordHash });
  }
  await staff.upsert(demoTenant.tenantId, demoStaff.supervisor, {
    role: 'supervisor',
    passwordHash,
  });
  const faqs = faqStore(db);
  for (const entry of demoFaq) await faqs.add(demoTenant.tenantId, entry);
  return tenantStore(db).ensure(demoTenant.tenantId, demoTenant.name);
}

const demoKeyName = 'npm start demo admin key';

/**
 * A fresh admin key for the demo tenant, printed by `npm start`. Keys are
 * shown only once and stored hashed, so each start revokes the previous demo
 * key and issues a new one rather than trying to show an old one again.
 */
export async function issueDemoAdminKey(db: Db): Promise<string> {
  const keys = apiKeyStore(db);
  await keys.revokeNamed(demoTenant.tenantId, demoKeyName);
  return (await keys.create(demoTenant.tenantId, demoKeyName, 'admin')).key;
}
