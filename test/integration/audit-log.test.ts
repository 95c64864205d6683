import { z } from 'zod';
import {
  agentSession,
  auditEntryView,
  createdApiKey,
  faqView,
  quickReplyView,
} from '../../api/views';
import { errorBody } from '../../api/openapi';
import { call, callOk, operatorTenant, testOperatorToken } from '../support/api-client';
import { startTestEngine, type TestEngine } from '../support/engine';

/**
 * The audit log: every configuration and account change, with who made it,
 * what, on which object and when; per tenant, paged, for admins only.
 */
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
});
afterAll(async () => {
  await engine.close();
});

const password = 'correct horse battery';
const page = z.object({ items: z.array(auditEntryView), next: z.string().optional() });
type Entry = z.infer<typeof auditEntryView>;

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(engine.app, method, path, options);

/** Calls as `token`, failing the test on anything but 2xx. */
const done = (token: string, method: string, path: string, body?: unknown) =>
  callOk(engine.app, method, path, { token, ...(body !== undefined ? { body } : {}) });

/** Every entry of the tenant's log, page by page, newest first. */
async function wholeLog(adminKey: string, limit: number, filter = ''): Promise<Entry[]> {
  const entries: Entry[] = [];
  let after: string | undefined;
  for (;;) {
    const query = `limit=${limit}${after ? `&after=${after}` : ''}${filter}`;
    const answer = await api('GET', `/api/v1/audit?${query}`, { token: adminKey });
    expect(answer.status).toBe(200);
    const { items, next } = page.parse(answer.body);
    expect(items.length).toBeLessThanOrEqual(limit);
    entries.push(...items);
    if (!next) return entries;
    after = next;
  }
}

/** A tenant where an admin and an agent have changed one of everything. */
async function busyTenant() {
  const { tenantId, adminKey } = await operatorTenant(engine.app);
  const keys = page.parse((await api('GET', '/api/v1/audit', { token: adminKey })).body);
  const adminKeyId = keys.items[0]?.summary?.adminKeyId;
  const admin = (method: string, path: string, body?: unknown) =>
    done(adminKey, method, path, body);

  await admin('PATCH', '/api/v1/flow', { flow: { locale: 'en' } });
  await admin('POST', '/api/v1/working-hours', {
    schedule: { timeZone: 'Asia/Shanghai', weekly: { mon: [{ start: '09:00', end: '18:00' }] } },
  });
  const faq = faqView.parse(
    await admin('POST', '/api/v1/faqs', { question: 'Ship?', answer: 'Daily.' }),
  );
  await admin('PUT', '/api/v1/groups/sales', {});
  await admin('PUT', '/api/v1/agents/ann', { capacity: 2, groups: ['sales'], password });
  const key = createdApiKey.parse(
    await admin('POST', '/api/v1/api-keys', { name: 'erp', role: 'integration' }),
  );
  await admin('POST', '/api/v1/tag-groups', { groupId: 'service', name: 'Service' });
  await admin('POST', '/api/v1/tags', {
    tagId: 'vip',
    groupId: 'service',
    name: 'VIP',
    target: 'customer',
  });
  await admin('POST', '/api/v1/quick-replies', { shortcut: '/hi', text: 'Hello!' });
  const login = await api('POST', '/api/v1/auth/agent-login', {
    body: { tenantId, agentId: 'ann', password },
  });
  const annToken = agentSession.parse(login.body).token;
  const personal = quickReplyView.parse(
    await done(annToken, 'POST', '/api/v1/quick-replies', { shortcut: '/bye', text: 'Bye!' }),
  );
  await admin('POST', '/api/v1/agents/ann/deactivate');
  return { tenantId, adminKey, adminKeyId, faqId: faq.id, key, personal, annToken };
}

it('when admins and agents change flows, hours, FAQ, groups, agents, API keys, tags and quick replies, then each change is in the log with its actor, action, target and time, newest first', async () => {
  const startedAt = Date.now();
  const t = await busyTenant();
  const entries = await wholeLog(t.adminKey, 200);
  const admin = { kind: 'api_key', id: t.adminKeyId, role: 'admin' };
  expect(entries.map(({ actor, action, target }) => ({ actor, action, target })).reverse()).toEqual(
    [
      {
        actor: { kind: 'operator', id: 'operator', role: 'operator' },
        action: 'tenant.created',
        target: { type: 'tenant', id: t.tenantId },
      },
      { actor: admin, action: 'flow.updated', target: { type: 'flow', id: 'flow' } },
      { actor: admin, action: 'hours.created', target: { type: 'hours', id: '*/reception' } },
      { actor: admin, action: 'faq.created', target: { type: 'faq', id: t.faqId } },
      { actor: admin, action: 'group.created', target: { type: 'group', id: 'sales' } },
      { actor: admin, action: 'agent.created', target: { type: 'agent', id: 'ann' } },
      { actor: admin, action: 'api_key.created', target: { type: 'api_key', id: t.key.keyId } },
      { actor: admin, action: 'tag_group.created', target: { type: 'tag_group', id: 'service' } },
      { actor: admin, action: 'tag.created', target: { type: 'tag', id: 'vip' } },
      {
        actor: admin,
        action: 'quick_reply.created',
        target: { type: 'quick_reply', id: expect.any(String) as unknown },
      },
      {
        actor: { kind: 'staff', id: 'ann', role: 'agent' },
        action: 'quick_reply.created',
        target: { type: 'quick_reply', id: t.personal.id },
      },
      { actor: admin, action: 'agent.deactivated', target: { type: 'agent', id: 'ann' } },
    ],
  );
  const times = entries.map((e) => Date.parse(e.at));
  expect([...times].sort((x, y) => y - x)).toEqual(times);
  expect(Math.min(...times)).toBeGreaterThanOrEqual(startedAt - 1_000);
  expect(Math.max(...times)).toBeLessThanOrEqual(Date.now() + 1_000);
  // What changed is named, never the secrets themselves.
  const created = entries.find((e) => e.action === 'agent.created');
  expect(created?.summary).toMatchObject({
    fields: expect.arrayContaining(['password']) as unknown,
  });
  expect(entries.find((e) => e.action === 'flow.updated')?.summary).toMatchObject({
    version: 2,
    fields: ['locale'],
  });
  const text = JSON.stringify(entries);
  expect(text).not.toContain(password);
  expect(text).not.toContain(t.key.key);
});

it('when the log is read page by page, then the pages together are the whole log, each entry once, in order', async () => {
  const t = await busyTenant();
  const whole = await wholeLog(t.adminKey, 200);
  expect(whole.length).toBeGreaterThan(10);
  const paged = await wholeLog(t.adminKey, 3);
  expect(paged).toEqual(whole);
  const first = page.parse((await api('GET', '/api/v1/audit?limit=3', { token: t.adminKey })).body);
  expect(first.items).toHaveLength(3);
  expect(first.next).toBe(first.items[2]?.id);
});

it('when the log is filtered by action or by actor, then only those entries come', async () => {
  const t = await busyTenant();
  const byAction = await wholeLog(t.adminKey, 50, '&action=quick_reply.created');
  expect(byAction.map((e) => e.actor.id).sort()).toEqual([t.adminKeyId, 'ann'].sort());
  const byAnn = await wholeLog(t.adminKey, 50, '&actor=ann');
  expect(byAnn.map((e) => e.action)).toEqual(['quick_reply.created']);
});

it('when two tenants change things, then each tenant’s admins see only their own log', async () => {
  const one = await busyTenant();
  const other = await operatorTenant(engine.app);
  await done(other.adminKey, 'PUT', '/api/v1/groups/support', {});
  const theirs = await wholeLog(other.adminKey, 50);
  expect(theirs.map((e) => e.action)).toEqual(['group.created', 'tenant.created']);
  expect(JSON.stringify(theirs)).not.toContain(one.tenantId);
  const mine = await wholeLog(one.adminKey, 200);
  expect(mine.some((e) => e.target.id === 'support')).toBe(false);
});

it('when anyone but an admin asks for the log, then 401 or 403', async () => {
  const t = await busyTenant();
  expect((await api('GET', '/api/v1/audit')).status).toBe(401);
  expect((await api('GET', '/api/v1/audit', { token: t.key.key })).status).toBe(403);
  expect((await api('GET', '/api/v1/audit', { token: testOperatorToken })).status).toBe(403);
  await done(t.adminKey, 'POST', '/api/v1/agents/ann/activate');
  await done(t.adminKey, 'PUT', '/api/v1/agents/sue', {
    role: 'supervisor',
    capacity: 0,
    groups: ['sales'],
    password,
  });
  const login = await api('POST', '/api/v1/auth/agent-login', {
    body: { tenantId: t.tenantId, agentId: 'sue', password },
  });
  const supervisor = agentSession.parse(login.body).token;
  expect((await api('GET', '/api/v1/audit', { token: supervisor })).status).toBe(403);
});

it.each(['1e1', '0x10', '0', '201', '-1', '2.5', ' 5'])(
  'when the page size is %j, then 400 names limit',
  async (limit) => {
    const { adminKey } = await operatorTenant(engine.app);
    const answer = await api('GET', `/api/v1/audit?limit=${encodeURIComponent(limit)}`, {
      token: adminKey,
    });
    expect(answer.status).toBe(400);
    expect(errorBody.parse(answer.body).error.fields?.map((f) => f.path)).toEqual(['limit']);
  },
);

it('when an admin requires verified shoppers, rotates the identity secret and retires the old one, then each is in the log and no secret value is', async () => {
  const { adminKey } = await operatorTenant(engine.app);
  const rotated = z.object({ secretId: z.string(), secret: z.string() });
  await done(adminKey, 'PUT', '/api/v1/identity', { requireVerifiedIdentity: true });
  const first = rotated.parse(await done(adminKey, 'POST', '/api/v1/identity/secrets'));
  const second = rotated.parse(await done(adminKey, 'POST', '/api/v1/identity/secrets'));
  await done(adminKey, 'DELETE', `/api/v1/identity/secrets/${first.secretId}`);
  const entries = (await wholeLog(adminKey, 50)).filter((e) => e.target.type !== 'tenant');
  expect(entries.map(({ action, target }) => ({ action, target })).reverse()).toEqual([
    { action: 'identity.updated', target: { type: 'identity', id: 'identity' } },
    {
      action: 'identity_secret.created',
      target: { type: 'identity_secret', id: first.secretId },
    },
    {
      action: 'identity_secret.created',
      target: { type: 'identity_secret', id: second.secretId },
    },
    {
      action: 'identity_secret.retired',
      target: { type: 'identity_secret', id: first.secretId },
    },
  ]);
  const text = JSON.stringify(entries);
  expect(text).not.toContain(first.secret);
  expect(text).not.toContain(second.secret);
});
