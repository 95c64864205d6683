import { errorBody, startedSession } from '../../api/openapi';
import {
  agentSession,
  createdTenant,
  outreachOpened,
  quickReplyView,
  sessionView,
} from '../../api/views';
import { collections } from '../../stores/collections';
import { messageStore } from '../../stores/messages';
import { sessionStore } from '../../stores/sessions';
import { call } from '../support/api-client';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { identityToken, installIdentitySecret, signedVisitor } from '../support/identity';

const operatorToken = 'operator-token-for-tests-0123456789abcdef';
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: operatorToken });
});
afterAll(async () => {
  await engine.close();
});

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(engine.app, method, path, options);
const fields = (answer: { body: unknown }) =>
  (errorBody.parse(answer.body).error.fields ?? []).map((f) => f.path);
const code = (answer: { body: unknown }) => errorBody.parse(answer.body).error.code;
const hours = (n: number) => n * 60 * 60 * 1000;

/** A tenant with an admin key, an integration key, two agents and a supervisor. */
async function staffedTenant() {
  const tenantId = uniqueId('tenant');
  const created = await api('POST', '/api/v1/tenants', {
    token: operatorToken,
    body: { tenantId, name: 'Shop' },
  });
  const adminKey = createdTenant.parse(created.body).adminKey.key;
  await installIdentitySecret(engine.db, tenantId);
  const integration = await api('POST', '/api/v1/api-keys', {
    token: adminKey,
    body: { name: 'erp', role: 'integration' },
  });
  const integrationKey = (integration.body as { key: string }).key;
  await api('PUT', '/api/v1/groups/sales', { token: adminKey, body: {} });
  const login = async (agentId: string, role: 'agent' | 'supervisor') => {
    await api('PUT', `/api/v1/agents/${agentId}`, {
      token: adminKey,
      body: { capacity: 2, groups: ['sales'], role, password: 'correct horse battery' },
    });
    const answer = await api('POST', '/api/v1/auth/agent-login', {
      body: { tenantId, agentId, password: 'correct horse battery' },
    });
    return agentSession.parse(answer.body).token;
  };
  return {
    tenantId,
    adminKey,
    integrationKey,
    ann: await login('ann', 'agent'),
    bob: await login('bob', 'agent'),
    sue: await login('sue', 'supervisor'),
  };
}

/** A session projection as the worker writes it, started `ago` ms before now. */
async function consultation(
  tenantId: string,
  ago = 0,
  agentId?: string,
): Promise<{ sessionId: string; visitorId: string }> {
  const sessionId = uniqueId('session');
  const visitorId = uniqueId('visitor');
  const sessions = sessionStore(engine.db);
  await sessions.recordOpened(
    {
      tenantId,
      sessionId,
      visitor: { id: visitorId, tags: [] },
      channel: 'web',
      entry: { type: 'order' },
    },
    new Date(Date.now() - ago),
  );
  if (agentId) await sessions.project(tenantId, sessionId, { phase: 'assigned', agentId });
  return { sessionId, visitorId };
}

describe('quick replies', () => {
  it('when admins add tenant replies and agents personal ones, then each agent lists the tenant’s plus their own, searchable', async () => {
    const t = await staffedTenant();
    const tenantReply = await api('POST', '/api/v1/quick-replies', {
      token: t.adminKey,
      body: { shortcut: '/thanks', text: 'Thank you for shopping with us' },
    });
    expect(tenantReply.status).toBe(201);
    expect(quickReplyView.parse(tenantReply.body)).toMatchObject({ scope: 'tenant' });
    const annReply = quickReplyView.parse(
      (
        await api('POST', '/api/v1/quick-replies', {
          token: t.ann,
          body: { shortcut: '/ship', text: 'Your parcel left our warehouse today' },
        })
      ).body,
    );
    expect(annReply).toMatchObject({ scope: 'personal', ownerId: 'ann' });

    const annList = await api('GET', '/api/v1/quick-replies', { token: t.ann });
    expect((annList.body as { items: unknown[] }).items).toHaveLength(2);
    const bobList = await api('GET', '/api/v1/quick-replies', { token: t.bob });
    expect(bobList.body).toMatchObject({ items: [{ shortcut: '/thanks' }] });
    expect((bobList.body as { items: unknown[] }).items).toHaveLength(1);
    const search = await api('GET', '/api/v1/quick-replies?q=PARCEL', { token: t.ann });
    expect(search.body).toMatchObject({ items: [{ id: annReply.id }] });
    expect((search.body as { items: unknown[] }).items).toHaveLength(1);
    const byShortcut = await api('GET', '/api/v1/quick-replies?q=%2Fthan', { token: t.ann });
    expect(byShortcut.body).toMatchObject({ items: [{ shortcut: '/thanks' }] });
    const adminList = await api('GET', '/api/v1/quick-replies', { token: t.adminKey });
    expect((adminList.body as { items: unknown[] }).items).toHaveLength(1);

    // Bob cannot see Ann's reply; Ann cannot change the tenant's.
    const tenantId = quickReplyView.parse(tenantReply.body).id;
    expect(
      (await api('GET', `/api/v1/quick-replies/${annReply.id}`, { token: t.bob })).status,
    ).toBe(404);
    expect(
      (await api('DELETE', `/api/v1/quick-replies/${annReply.id}`, { token: t.bob })).status,
    ).toBe(404);
    expect(
      (await api('GET', `/api/v1/quick-replies/${annReply.id}`, { token: t.adminKey })).status,
    ).toBe(404);
    const annOnTenant = await api('PUT', `/api/v1/quick-replies/${tenantId}`, {
      token: t.ann,
      body: { shortcut: '/thanks', text: 'changed' },
    });
    expect(annOnTenant.status).toBe(403);

    const edited = await api('PUT', `/api/v1/quick-replies/${annReply.id}`, {
      token: t.ann,
      body: { shortcut: '/ship', text: 'Shipped today' },
    });
    expect(edited.body).toMatchObject({ text: 'Shipped today', ownerId: 'ann' });
    expect(
      (await api('DELETE', `/api/v1/quick-replies/${annReply.id}`, { token: t.ann })).status,
    ).toBe(204);
    expect(
      (await api('DELETE', `/api/v1/quick-replies/${tenantId}`, { token: t.adminKey })).status,
    ).toBe(204);
    expect(await collections(engine.db).quickReplies.countDocuments({ tenantId: t.tenantId })).toBe(
      0,
    );
  });

  it('when a quick reply is invalid or the caller is not allowed, then 400 names the field, 401/403 answer, and nothing is stored', async () => {
    const t = await staffedTenant();
    const bad = await api('POST', '/api/v1/quick-replies', {
      token: t.adminKey,
      body: { shortcut: '', text: 'x'.repeat(2_001), colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['shortcut', 'text', 'colour']);
    expect(errorBody.parse(bad.body).error.message).toContain('colour');
    const badQuery = await api('GET', '/api/v1/quick-replies?limit=0&size=2', { token: t.ann });
    expect(fields(badQuery)).toEqual(expect.arrayContaining(['limit']));
    expect((await api('GET', '/api/v1/quick-replies/not-a-uuid', { token: t.ann })).status).toBe(
      400,
    );
    const body = { shortcut: '/hi', text: 'Hello' };
    expect((await api('POST', '/api/v1/quick-replies', { body })).status).toBe(401);
    expect((await api('POST', '/api/v1/quick-replies', { token: 'nonsense', body })).status).toBe(
      401,
    );
    const integration = await api('POST', '/api/v1/quick-replies', {
      token: t.integrationKey,
      body,
    });
    expect(integration.status).toBe(403);
    expect(await collections(engine.db).quickReplies.countDocuments({ tenantId: t.tenantId })).toBe(
      0,
    );
  });
});

describe('tags', () => {
  it('when admins define groups and tags, then agents see only tags visible to all, and a used group cannot be removed', async () => {
    const t = await staffedTenant();
    const group = await api('POST', '/api/v1/tag-groups', {
      token: t.adminKey,
      body: { groupId: 'intent', name: 'Intent' },
    });
    expect(group.status).toBe(201);
    expect(
      (
        await api('POST', '/api/v1/tag-groups', {
          token: t.adminKey,
          body: { groupId: 'intent', name: 'x' },
        })
      ).status,
    ).toBe(409);
    const refund = await api('POST', '/api/v1/tags', {
      token: t.adminKey,
      body: { tagId: 'refund', groupId: 'intent', name: 'Refund', target: 'session' },
    });
    expect(refund.body).toMatchObject({ kind: 'manual', visibility: 'all' });
    await api('POST', '/api/v1/tags', {
      token: t.adminKey,
      body: {
        tagId: 'risky',
        groupId: 'intent',
        name: 'Risky buyer',
        target: 'customer',
        visibility: 'supervisors',
      },
    });
    const agentTags = await api('GET', '/api/v1/tags', { token: t.ann });
    expect(agentTags.body).toMatchObject({ items: [{ tagId: 'refund' }] });
    expect((agentTags.body as { items: unknown[] }).items).toHaveLength(1);
    expect((await api('GET', '/api/v1/tags/risky', { token: t.ann })).status).toBe(404);
    expect((await api('GET', '/api/v1/tags/risky', { token: t.sue })).status).toBe(200);
    const customerTags = await api('GET', '/api/v1/tags?target=customer', { token: t.adminKey });
    expect(customerTags.body).toMatchObject({ items: [{ tagId: 'risky' }] });

    const renamed = await api('PUT', '/api/v1/tags/refund', {
      token: t.adminKey,
      body: { groupId: 'intent', name: 'Refund request', target: 'session' },
    });
    expect(renamed.body).toMatchObject({ tagId: 'refund', name: 'Refund request' });
    expect(
      (await api('PUT', '/api/v1/tag-groups/intent', { token: t.adminKey, body: { name: 'Why' } }))
        .body,
    ).toEqual({ groupId: 'intent', name: 'Why' });
    expect((await api('DELETE', '/api/v1/tag-groups/intent', { token: t.adminKey })).status).toBe(
      409,
    );
    expect((await api('DELETE', '/api/v1/tags/refund', { token: t.adminKey })).status).toBe(204);
    expect((await api('DELETE', '/api/v1/tags/risky', { token: t.adminKey })).status).toBe(204);
    expect((await api('DELETE', '/api/v1/tag-groups/intent', { token: t.adminKey })).status).toBe(
      204,
    );
    expect((await api('GET', '/api/v1/tag-groups', { token: t.ann })).body).toEqual({ items: [] });
  });

  it('when a tag is invalid or the caller is not an admin, then 400 names the field, 422 names a missing group, 401/403 answer, and nothing is stored', async () => {
    const t = await staffedTenant();
    await api('POST', '/api/v1/tag-groups', {
      token: t.adminKey,
      body: { groupId: 'g', name: 'G' },
    });
    const bad = await api('POST', '/api/v1/tags', {
      token: t.adminKey,
      body: { tagId: 'bad id!', groupId: 'g', name: '', target: 'order', kind: 'auto' },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(expect.arrayContaining(['tagId', 'name', 'target']));
    const noRule = await api('POST', '/api/v1/tags', {
      token: t.adminKey,
      body: { tagId: 'a', groupId: 'g', name: 'A', target: 'session', kind: 'auto' },
    });
    expect(fields(noRule)).toEqual(['rule']);
    const noGroup = await api('POST', '/api/v1/tags', {
      token: t.adminKey,
      body: { tagId: 'a', groupId: 'nosuch', name: 'A', target: 'session' },
    });
    expect(noGroup.status).toBe(422);
    expect(fields(noGroup)).toEqual(['groupId']);
    const body = { tagId: 'a', groupId: 'g', name: 'A', target: 'session' };
    expect((await api('POST', '/api/v1/tags', { body })).status).toBe(401);
    expect((await api('POST', '/api/v1/tags', { token: t.sue, body })).status).toBe(403);
    expect(
      (await api('POST', '/api/v1/tag-groups', { token: t.ann, body: { groupId: 'h', name: 'H' } }))
        .status,
    ).toBe(403);
    expect(await collections(engine.db).tags.countDocuments({ tenantId: t.tenantId })).toBe(0);
  });

  it('when customers and sessions are tagged, then kinds and holders are enforced and sessions filter by tag', async () => {
    const t = await staffedTenant();
    await api('POST', '/api/v1/tag-groups', {
      token: t.adminKey,
      body: { groupId: 'g', name: 'G' },
    });
    const addTag = (body: Record<string, unknown>) =>
      api('POST', '/api/v1/tags', {
        token: t.adminKey,
        body: { groupId: 'g', name: 'n', ...body },
      });
    await addTag({ tagId: 'refund', target: 'session' });
    await addTag({ tagId: 'vip', target: 'customer', kind: 'external' });
    await addTag({ tagId: 'friendly', target: 'customer' });
    await addTag({ tagId: 'escalate', target: 'session', visibility: 'supervisors' });
    await addTag({
      tagId: 'after-sale',
      target: 'session',
      kind: 'auto',
      rule: { entryTypes: ['order'] },
    });
    const annSession = await consultation(t.tenantId, 0, 'ann');
    const bobSession = await consultation(t.tenantId, 0, 'bob');

    const tagged = await api('PUT', `/api/v1/sessions/${annSession.sessionId}/tags/refund`, {
      token: t.ann,
    });
    expect(tagged.body).toEqual({ sessionId: annSession.sessionId, tags: ['refund'] });
    expect(
      (await api('PUT', `/api/v1/sessions/${bobSession.sessionId}/tags/refund`, { token: t.ann }))
        .status,
    ).toBe(404);
    expect(
      (await api('PUT', `/api/v1/sessions/${bobSession.sessionId}/tags/refund`, { token: t.sue }))
        .status,
    ).toBe(200);
    expect(
      (await api('PUT', `/api/v1/sessions/${annSession.sessionId}/tags/escalate`, { token: t.ann }))
        .status,
    ).toBe(404);
    const auto = await api('PUT', `/api/v1/sessions/${annSession.sessionId}/tags/after-sale`, {
      token: t.adminKey,
    });
    expect([auto.status, code(auto)]).toEqual([403, 'tag_not_settable']);
    const wrongTarget = await api('PUT', `/api/v1/sessions/${annSession.sessionId}/tags/vip`, {
      token: t.adminKey,
    });
    expect([wrongTarget.status, code(wrongTarget)]).toEqual([422, 'wrong_target']);

    const filtered = await api('GET', '/api/v1/sessions?tag=refund', { token: t.adminKey });
    expect(
      (filtered.body as { items: { sessionId: string }[] }).items.map((s) => s.sessionId).sort(),
    ).toEqual([annSession.sessionId, bobSession.sessionId].sort());
    const annFiltered = await api('GET', '/api/v1/sessions?tag=refund', { token: t.ann });
    expect(annFiltered.body).toMatchObject({
      items: [{ sessionId: annSession.sessionId, tags: ['refund'] }],
    });
    expect((annFiltered.body as { items: unknown[] }).items).toHaveLength(1);
    await api('DELETE', `/api/v1/sessions/${annSession.sessionId}/tags/refund`, { token: t.ann });
    expect((await api('GET', '/api/v1/sessions?tag=refund', { token: t.ann })).body).toEqual({
      items: [],
    });

    // A supervisor-only tag on Ann's session stays invisible to Ann, in views and in filters.
    await api('PUT', `/api/v1/sessions/${annSession.sessionId}/tags/escalate`, { token: t.sue });
    const annView = await api('GET', `/api/v1/sessions/${annSession.sessionId}`, { token: t.ann });
    expect(sessionView.parse(annView.body).tags).toBeUndefined();
    expect((await api('GET', '/api/v1/sessions?tag=escalate', { token: t.ann })).body).toEqual({
      items: [],
    });
    expect(
      (await api('GET', '/api/v1/sessions?tag=escalate', { token: t.sue })).body,
    ).toMatchObject({ items: [{ sessionId: annSession.sessionId, tags: ['escalate'] }] });

    const customer = `/api/v1/customers/${annSession.visitorId}/tags`;
    expect((await api('PUT', `${customer}/vip`, { token: t.ann })).status).toBe(403);
    expect((await api('PUT', `${customer}/friendly`, { token: t.integrationKey })).status).toBe(
      403,
    );
    expect((await api('PUT', `${customer}/vip`, { token: t.integrationKey })).body).toEqual({
      visitorId: annSession.visitorId,
      tags: ['vip'],
    });
    await api('PUT', `${customer}/friendly`, { token: t.ann });
    await api('PUT', `${customer}/friendly`, { token: t.ann });
    expect((await api('GET', customer, { token: t.ann })).body).toEqual({
      visitorId: annSession.visitorId,
      tags: ['vip', 'friendly'],
    });
    expect((await api('DELETE', `${customer}/friendly`, { token: t.bob })).body).toMatchObject({
      tags: ['vip'],
    });
    expect(
      (await api('GET', `/api/v1/customers/${uniqueId('v')}/tags`, { token: t.ann })).status,
    ).toBe(404);
    // Removing a tag takes it off its customers.
    await api('DELETE', '/api/v1/tags/vip', { token: t.adminKey });
    expect((await api('GET', customer, { token: t.adminKey })).body).toMatchObject({ tags: [] });
    const badPath = await api('PUT', `/api/v1/sessions/${annSession.sessionId}/tags/bad%20id`, {
      token: t.ann,
    });
    expect(fields(badPath)).toEqual(['tagId']);
    expect((await api('PUT', `${customer}/friendly`)).status).toBe(401);
  });

  it('when a session opens and an auto tag’s rule holds, then the projection carries the tag without the shopper waiting', async () => {
    const t = await staffedTenant();
    await api('POST', '/api/v1/tag-groups', {
      token: t.adminKey,
      body: { groupId: 'g', name: 'G' },
    });
    await api('POST', '/api/v1/tags', {
      token: t.adminKey,
      body: {
        tagId: 'vip-after-sale',
        groupId: 'g',
        name: 'VIP after-sale',
        target: 'session',
        kind: 'auto',
        rule: { entryTypes: ['order', 'logistics'], visitorTags: ['vip'] },
      },
    });
    const open = (tags: string[]) =>
      api('POST', '/api/v1/sessions', {
        body: {
          tenantId: t.tenantId,
          visitor: { token: identityToken(t.tenantId, { sub: uniqueId('v'), tags }) },
          channel: 'web',
          entry: { type: 'order' },
        },
      });
    const vip = startedSession.parse((await open(['vip'])).body);
    const plain = startedSession.parse((await open([])).body);
    const projected = async (sessionId: string) =>
      eventually(async () => {
        const answer = await api('GET', `/api/v1/sessions/${sessionId}`, { token: t.adminKey });
        return answer.status === 200 ? sessionView.parse(answer.body) : undefined;
      });
    expect((await projected(vip.sessionId)).tags).toEqual(['vip-after-sale']);
    expect((await projected(plain.sessionId)).tags).toBeUndefined();
    for (const s of [vip, plain]) {
      await engine.temporal.client.workflow.getHandle(s.workflowId).terminate('test done');
    }
  });
});

describe('proactive outreach', () => {
  it('when the customer’s last consultation began 71 h ago, then the agent’s first message is accepted and opens their next session; at 73 h, 403 with the reason and nothing written', async () => {
    const t = await staffedTenant();
    const recent = await consultation(t.tenantId, hours(71));
    const old = await consultation(t.tenantId, hours(73));

    const allowed = await api('POST', `/api/v1/customers/${recent.visitorId}/outreach`, {
      token: t.ann,
      body: { text: 'Your size is back in stock' },
    });
    expect(allowed.status).toBe(201);
    const opened = outreachOpened.parse(allowed.body);
    expect(opened).toMatchObject({
      visitorId: recent.visitorId,
      agentId: 'ann',
      status: 'pending',
    });
    expect(Date.parse(opened.allowedUntil) - Date.parse(opened.lastConsultationAt)).toBe(hours(72));

    const refused = await api('POST', `/api/v1/customers/${old.visitorId}/outreach`, {
      token: t.ann,
      body: { text: 'Your size is back in stock' },
    });
    expect([refused.status, code(refused)]).toEqual([403, 'window_passed']);
    expect(errorBody.parse(refused.body).error.message).toMatch(/more than 3 days ago/);
    const never = await api('POST', `/api/v1/customers/${uniqueId('v')}/outreach`, {
      token: t.sue,
      body: { text: 'Hello' },
    });
    expect([never.status, code(never)]).toEqual([403, 'no_consultation']);
    expect(await collections(engine.db).outreaches.countDocuments({ tenantId: t.tenantId })).toBe(
      1,
    );

    // The customer comes back: their new session opens with Ann's message, before the greeting.
    const back = await api('POST', '/api/v1/sessions', {
      body: {
        tenantId: t.tenantId,
        visitor: signedVisitor(t.tenantId, recent.visitorId),
        channel: 'web',
        entry: { type: 'product' },
      },
    });
    const { sessionId, workflowId } = startedSession.parse(back.body);
    const messages = await eventually(async () => {
      const stored = await messageStore(engine.db).listAfter(t.tenantId, sessionId, 0, 10);
      return stored.messages.length >= 2 ? stored.messages : undefined;
    });
    expect(messages[0]).toMatchObject({
      seq: 1,
      sender: { type: 'agent', id: 'ann' },
      text: 'Your size is back in stock',
    });
    expect(messages[1]?.sender.type).toBe('robot');
    const delivered = await collections(engine.db).outreaches.findOne({ _id: opened.outreachId });
    expect(delivered).toMatchObject({ status: 'delivered', sessionId });
    await engine.temporal.client.workflow.getHandle(workflowId).terminate('test done');
  });

  it('when an outreach POST is repeated with the same Idempotency-Key, then one outreach is recorded and the first answer replayed', async () => {
    const t = await staffedTenant();
    const { visitorId } = await consultation(t.tenantId, hours(2));
    const send = () =>
      api('POST', `/api/v1/customers/${visitorId}/outreach`, {
        token: t.ann,
        body: { text: 'Your order shipped' },
        headers: { 'idempotency-key': 'outreach-1' },
      });
    const first = await send();
    const again = await send();
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    expect(await collections(engine.db).outreaches.countDocuments({ tenantId: t.tenantId })).toBe(
      1,
    );
  });

  it('when outreach input is invalid or the caller is not an agent, then 400 names the field and 401/403 answer', async () => {
    const t = await staffedTenant();
    const { visitorId } = await consultation(t.tenantId, hours(1));
    const path = `/api/v1/customers/${visitorId}/outreach`;
    const bad = await api('POST', path, { token: t.ann, body: { text: ' ', channel: 'sms' } });
    expect(fields(bad)).toEqual(['text', 'channel']);
    expect(errorBody.parse(bad.body).error.message).toContain('channel');
    expect(
      fields(
        await api('POST', '/api/v1/customers/bad%20id/outreach', {
          token: t.ann,
          body: { text: 'x' },
        }),
      ),
    ).toEqual(['visitorId']);
    expect((await api('POST', path, { body: { text: 'x' } })).status).toBe(401);
    expect((await api('POST', path, { token: t.adminKey, body: { text: 'x' } })).status).toBe(403);
    expect((await api('POST', path, { token: t.integrationKey, body: { text: 'x' } })).status).toBe(
      403,
    );
    expect(await collections(engine.db).outreaches.countDocuments({ tenantId: t.tenantId })).toBe(
      0,
    );
  });
});

describe('customer history', () => {
  it('when an agent serves a customer, then they read all the customer’s sessions, newest first and paged, without supervisor-only tags; other agents’ customers are not found', async () => {
    const t = await staffedTenant();
    const visitorId = uniqueId('visitor');
    const sessions = sessionStore(engine.db);
    const visit = async (ago: number, agentId: string, phase: 'assigned' | 'closed') => {
      const sessionId = uniqueId('session');
      await sessions.recordOpened(
        {
          tenantId: t.tenantId,
          sessionId,
          visitor: { id: visitorId, tags: [] },
          channel: 'web',
          entry: { type: 'order', ref: `o-${ago}` },
        },
        new Date(Date.now() - ago),
      );
      await sessions.project(t.tenantId, sessionId, { phase, agentId });
      return sessionId;
    };
    const withBob = await visit(hours(50), 'bob', 'closed');
    const earlierWithAnn = await visit(hours(20), 'ann', 'closed');
    const now = await visit(0, 'ann', 'assigned');
    await api('POST', '/api/v1/tag-groups', {
      token: t.adminKey,
      body: { groupId: 'risk', name: 'Risk' },
    });
    await api('POST', '/api/v1/tags', {
      token: t.adminKey,
      body: {
        tagId: 'complainer',
        groupId: 'risk',
        name: 'Complains often',
        target: 'session',
        visibility: 'supervisors',
      },
    });
    await sessions.setTag(t.tenantId, withBob, 'complainer', true);
    const path = `/api/v1/customers/${visitorId}/sessions`;
    const ids = (answer: { body: unknown }) =>
      (answer.body as { items: { sessionId: string }[] }).items.map((s) => s.sessionId);

    const ann = await api('GET', path, { token: t.ann });
    expect(ann.status).toBe(200);
    expect(ids(ann)).toEqual([now, earlierWithAnn, withBob]);
    const items = (ann.body as { items: unknown[] }).items.map((s) => sessionView.parse(s));
    expect(items[2]).toMatchObject({
      agentId: 'bob',
      phase: 'closed',
      entry: { ref: 'o-180000000' },
    });
    expect(items[2]?.tags).toBeUndefined();
    const sue = await api('GET', path, { token: t.sue });
    expect((sue.body as { items: { tags?: string[] }[] }).items[2]?.tags).toEqual(['complainer']);

    const first = await api('GET', `${path}?limit=2`, { token: t.bob });
    expect(ids(first)).toEqual([now, earlierWithAnn]);
    const before = items[1]?.startedAt ?? '';
    const next = await api('GET', `${path}?limit=2&before=${encodeURIComponent(before)}`, {
      token: t.bob,
    });
    expect(ids(next)).toEqual([withBob]);
    expect(ids(await api('GET', path, { token: t.integrationKey }))).toHaveLength(3);

    // An agent who never served this customer, an unknown customer, bad input, no credential.
    const stranger = uniqueId('visitor');
    await sessions.recordOpened(
      {
        tenantId: t.tenantId,
        sessionId: uniqueId('session'),
        visitor: { id: stranger, tags: [] },
        channel: 'web',
        entry: { type: 'shop' },
      },
      new Date(),
    );
    const notTheirs = await api('GET', `/api/v1/customers/${stranger}/sessions`, { token: t.ann });
    expect([notTheirs.status, code(notTheirs)]).toEqual([404, 'not_found']);
    expect(
      ids(await api('GET', `/api/v1/customers/${stranger}/sessions`, { token: t.sue })),
    ).toHaveLength(1);
    const nobody = await api('GET', `/api/v1/customers/${uniqueId('v')}/sessions`, {
      token: t.adminKey,
    });
    expect(nobody.status).toBe(404);
    expect(fields(await api('GET', `${path}?before=yesterday`, { token: t.ann }))).toEqual([
      'before',
    ]);
    expect((await api('GET', path)).status).toBe(401);
  });
});
