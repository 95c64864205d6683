import { errorBody } from '../../api/openapi';
import { agentSession, createdTenant } from '../../api/views';
import { collections } from '../../stores/collections';
import { sessionStore } from '../../stores/sessions';
import { ticketStore } from '../../stores/tickets';
import { call, testOperatorToken } from '../support/api-client';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { customerStore } from '../../stores/customers';

const operatorToken = testOperatorToken;
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: operatorToken });
});
afterAll(async () => {
  await engine.close();
});

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(engine.app, method, path, options);

/** A tenant with one of everything: group, agent with password, FAQ, hours, session, ticket. */
async function furnishedTenant() {
  const tenantId = uniqueId('tenant');
  const created = await api('POST', '/api/v1/tenants', {
    token: operatorToken,
    body: { tenantId, name: 'Shop' },
  });
  const adminKey = createdTenant.parse(created.body).adminKey.key;
  await api('PUT', '/api/v1/groups/sales', { token: adminKey, body: {} });
  await api('PUT', '/api/v1/agents/lin', {
    token: adminKey,
    body: { capacity: 2, groups: ['sales'], role: 'supervisor', password: 'correct horse battery' },
  });
  const agentToken = agentSession.parse(
    (
      await api('POST', '/api/v1/auth/agent-login', {
        body: { tenantId, agentId: 'lin', password: 'correct horse battery' },
      })
    ).body,
  ).token;
  const faq = await api('POST', '/api/v1/faqs', {
    token: adminKey,
    body: { question: 'secret question of ' + tenantId, answer: 'secret answer' },
  });
  await api('POST', '/api/v1/working-hours', {
    token: adminKey,
    body: { groupId: 'sales', schedule: { timeZone: 'UTC', weekly: {} } },
  });
  // Quick replies (tenant-wide and the agent's own), tags of both targets, tagged objects.
  const quickReply = await api('POST', '/api/v1/quick-replies', {
    token: adminKey,
    body: { shortcut: '/secret', text: 'secret reply of ' + tenantId },
  });
  const personalReply = await api('POST', '/api/v1/quick-replies', {
    token: agentToken,
    body: { shortcut: '/mine', text: 'secret reply of lin of ' + tenantId },
  });
  const tagGroupId = uniqueId('tg');
  const customerTagId = uniqueId('ct');
  const sessionTagId = uniqueId('st');
  await api('POST', '/api/v1/tag-groups', {
    token: adminKey,
    body: { groupId: tagGroupId, name: 'secret group of ' + tenantId },
  });
  for (const [tagId, target] of [
    [customerTagId, 'customer'],
    [sessionTagId, 'session'],
  ]) {
    await api('POST', '/api/v1/tags', {
      token: adminKey,
      body: { tagId, groupId: tagGroupId, name: 'secret tag of ' + tenantId, target },
    });
  }
  const keys = await api('GET', '/api/v1/api-keys', { token: adminKey });
  const keyId = (keys.body as { items: { keyId: string }[] }).items[0]?.keyId ?? '';
  // A session projection and a ticket, as the worker's activities write them.
  const sessionId = uniqueId('session');
  const visitorId = uniqueId('visitor');
  await sessionStore(engine.db).recordOpened(
    {
      tenantId,
      sessionId,
      visitor: { id: visitorId, tags: [] },
      channel: 'web',
      entry: { type: 'order' },
    },
    new Date(),
    1,
  );
  await customerStore(engine.db).recordVisit(tenantId, visitorId, 'verified', {
    name: 'secret name of ' + tenantId,
  });
  await api('PUT', `/api/v1/customers/${visitorId}/tags/${customerTagId}`, { token: adminKey });
  await api('PUT', `/api/v1/sessions/${sessionId}/tags/${sessionTagId}`, { token: adminKey });
  const ticketId = await ticketStore(engine.db).open(tenantId, sessionId, visitorId, 'sales', {
    contact: { phone: '13800000000' },
    content: 'call me',
  });
  return {
    tenantId,
    adminKey,
    agentToken,
    faqId: (faq.body as { id: string }).id,
    keyId,
    sessionId,
    visitorId,
    ticketId,
    quickReplyId: (quickReply.body as { id: string }).id,
    personalReplyId: (personalReply.body as { id: string }).id,
    tagGroupId,
    customerTagId,
    sessionTagId,
  };
}

async function snapshot() {
  const c = collections(engine.db);
  const all = await Promise.all(
    [
      c.groups,
      c.agents,
      c.staff,
      c.faqs,
      c.hours,
      c.tickets,
      c.sessions,
      c.apiKeys,
      c.flowVersions,
      c.quickReplies,
      c.tagGroups,
      c.tags,
      c.customerTags,
      c.outreaches,
      c.customers,
      c.identitySettings,
    ].map((collection) => collection.find({}).toArray()),
  );
  return JSON.stringify(all);
}

describe('tenant isolation', () => {
  it("when tenant A's key or agent token names tenant B's objects, then every route answers 404 (or 403 by role), writes nothing and leaks nothing", async () => {
    const a = await furnishedTenant();
    const b = await furnishedTenant();
    const matrix: [string, string, unknown?][] = [
      ['GET', `/api/v1/groups/sales-of-b`],
      ['GET', `/api/v1/agents/${'lin'}-b`],
      ['PUT', `/api/v1/agents/lin-b/status`, { status: 'online' }],
      ['GET', `/api/v1/faqs/${b.faqId}`],
      ['PUT', `/api/v1/faqs/${b.faqId}`, { question: 'q', answer: 'a' }],
      ['DELETE', `/api/v1/faqs/${b.faqId}`],
      ['DELETE', `/api/v1/api-keys/${b.keyId}`],
      ['GET', `/api/v1/sessions/${b.sessionId}`],
      ['GET', `/api/v1/tickets/${b.ticketId}`],
      ['POST', `/api/v1/tickets/${b.ticketId}/assign`, { agentId: 'lin' }],
      ['POST', `/api/v1/tickets/${b.ticketId}/resolve`, {}],
      ['GET', `/api/v1/customers/${b.visitorId}/outreach`],
      ['GET', `/api/v1/working-hours/nosuch/reception`],
      ['GET', `/api/v1/quick-replies/${b.quickReplyId}`],
      ['PUT', `/api/v1/quick-replies/${b.quickReplyId}`, { shortcut: '/x', text: 'x' }],
      ['DELETE', `/api/v1/quick-replies/${b.quickReplyId}`],
      ['GET', `/api/v1/quick-replies/${b.personalReplyId}`],
      ['PUT', `/api/v1/quick-replies/${b.personalReplyId}`, { shortcut: '/x', text: 'x' }],
      ['DELETE', `/api/v1/quick-replies/${b.personalReplyId}`],
      ['PUT', `/api/v1/tag-groups/${b.tagGroupId}`, { name: 'x' }],
      ['DELETE', `/api/v1/tag-groups/${b.tagGroupId}`],
      ['GET', `/api/v1/tags/${b.sessionTagId}`],
      [
        'PUT',
        `/api/v1/tags/${b.sessionTagId}`,
        { groupId: b.tagGroupId, name: 'x', target: 'session' },
      ],
      ['DELETE', `/api/v1/tags/${b.customerTagId}`],
      ['GET', `/api/v1/customers/${b.visitorId}/tags`],
      ['PUT', `/api/v1/customers/${b.visitorId}/tags/${b.customerTagId}`],
      ['DELETE', `/api/v1/customers/${b.visitorId}/tags/${b.customerTagId}`],
      ['PUT', `/api/v1/sessions/${b.sessionId}/tags/${b.sessionTagId}`],
      ['DELETE', `/api/v1/sessions/${b.sessionId}/tags/${b.sessionTagId}`],
      ['POST', `/api/v1/customers/${b.visitorId}/outreach`, { text: 'hello' }],
      ['GET', `/api/v1/customers/${b.visitorId}`],
      ['PATCH', `/api/v1/customers/${b.visitorId}`, { name: 'x' }],
      ['GET', `/api/v1/customers/${b.visitorId}/export`],
      ['DELETE', `/api/v1/customers/${b.visitorId}`],
    ];
    const before = await snapshot();
    for (const token of [a.adminKey, a.agentToken]) {
      for (const [method, path, body] of matrix) {
        const answer = await api(method, path, { token, ...(body !== undefined ? { body } : {}) });
        expect([`${method} ${path}`, [403, 404].includes(answer.status)]).toEqual([
          `${method} ${path}`,
          true,
        ]);
        const text = JSON.stringify(answer.body);
        expect(text).not.toContain(b.tenantId);
        expect(text).not.toContain('secret answer');
        errorBody.parse(answer.body);
      }
    }
    // Lists show only A's own objects.
    for (const path of [
      '/api/v1/faqs',
      '/api/v1/sessions',
      '/api/v1/tickets',
      '/api/v1/groups',
      '/api/v1/agents',
      '/api/v1/api-keys',
      '/api/v1/working-hours',
      '/api/v1/quick-replies',
      '/api/v1/tag-groups',
      '/api/v1/tags',
      '/api/v1/customers',
      `/api/v1/sessions?tag=${b.sessionTagId}`,
    ]) {
      const answer = await api('GET', path, { token: a.adminKey });
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(b.tenantId);
      expect(JSON.stringify(answer.body)).not.toContain(b.sessionId);
      expect(JSON.stringify(answer.body)).not.toContain(b.ticketId);
      expect(JSON.stringify(answer.body)).not.toContain(b.keyId);
      expect(JSON.stringify(answer.body)).not.toContain(b.sessionTagId);
    }
    // B's objects were there all along, as B sees them.
    const bCustomer = await api('GET', `/api/v1/customers/${b.visitorId}/tags`, {
      token: b.adminKey,
    });
    expect(bCustomer.body).toEqual({ visitorId: b.visitorId, tags: [b.customerTagId] });
    const bProfile = await api('GET', `/api/v1/customers/${b.visitorId}`, { token: b.adminKey });
    expect(bProfile.body).toMatchObject({ name: 'secret name of ' + b.tenantId });
    const bSession = await api('GET', `/api/v1/sessions/${b.sessionId}`, { token: b.adminKey });
    expect(bSession.body).toMatchObject({ tags: [b.sessionTagId] });
    const bReplies = await api('GET', '/api/v1/quick-replies', { token: b.agentToken });
    expect((bReplies.body as { items: unknown[] }).items).toHaveLength(2);
    // An agent's list adds their personal quick replies, never another tenant's agent's.
    const agentReplies = await api('GET', '/api/v1/quick-replies', { token: a.agentToken });
    expect((agentReplies.body as { items: unknown[] }).items).toHaveLength(2);
    expect(JSON.stringify(agentReplies.body)).not.toContain(b.tenantId);
    expect(await snapshot()).toBe(before);
  });

  it('when an agent token of tenant A is used against tenant B by id in the body, then login and routes stay in A', async () => {
    const a = await furnishedTenant();
    const b = await furnishedTenant();
    // The same agent id exists in both tenants: A's password does not open B.
    const cross = await api('POST', '/api/v1/auth/agent-login', {
      body: { tenantId: b.tenantId, agentId: 'lin', password: 'wrong for b' },
    });
    expect(cross.status).toBe(401);
    const own = await api('GET', `/api/v1/sessions/${a.sessionId}`, { token: a.agentToken });
    expect(own.status).toBe(200);
    const ticket = await api('GET', `/api/v1/tickets/${a.ticketId}`, { token: a.agentToken });
    expect(ticket.status).toBe(200);
    expect(ticket.body).toMatchObject({ ticketId: a.ticketId, status: 'open' });
  });
});

describe('tickets and sessions', () => {
  it('when a supervisor assigns a ticket and the agent resolves it, then the list filters by status', async () => {
    const t = await furnishedTenant();
    const assign = await api('POST', `/api/v1/tickets/${t.ticketId}/assign`, {
      token: t.adminKey,
      body: { agentId: 'lin' },
    });
    expect(assign.status).toBe(200);
    expect(assign.body).toMatchObject({ status: 'assigned', assigneeId: 'lin' });
    const noAgent = await api('POST', `/api/v1/tickets/${t.ticketId}/assign`, {
      token: t.adminKey,
      body: { agentId: 'ghost' },
    });
    expect(noAgent.status).toBe(422);
    const resolved = await api('POST', `/api/v1/tickets/${t.ticketId}/resolve`, {
      token: t.agentToken,
      body: { resolution: 'called back' },
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'called back' });
    const open = await api('GET', '/api/v1/tickets?status=open', { token: t.adminKey });
    expect(open.body).toEqual({ items: [] });
    const done = await api('GET', '/api/v1/tickets?status=resolved', { token: t.adminKey });
    expect((done.body as { items: unknown[] }).items).toHaveLength(1);
    const badQuery = await api('GET', '/api/v1/tickets?status=lost&colour=red', {
      token: t.adminKey,
    });
    expect(badQuery.status).toBe(400);
  });

  it('when sessions are searched by visitor and phase, then only matching sessions of the tenant come back', async () => {
    const t = await furnishedTenant();
    const byVisitor = await api('GET', `/api/v1/sessions?visitorId=${t.visitorId}`, {
      token: t.adminKey,
    });
    expect(byVisitor.body).toMatchObject({ items: [{ sessionId: t.sessionId, flowVersion: 1 }] });
    const closed = await api('GET', `/api/v1/sessions?visitorId=${t.visitorId}&phase=closed`, {
      token: t.adminKey,
    });
    expect(closed.body).toEqual({ items: [] });
    const outreach = await api('GET', `/api/v1/customers/${t.visitorId}/outreach`, {
      token: t.agentToken,
    });
    expect(outreach.status).toBe(200);
    const never = await api('GET', `/api/v1/customers/${uniqueId('v')}/outreach`, {
      token: t.agentToken,
    });
    expect(never.status).toBe(403);
    expect(errorBody.parse(never.body).error.code).toBe('no_consultation');
    expect((await api('GET', '/api/v1/ratings', { token: t.adminKey })).body).toEqual({
      items: [],
    });
  });
});
