import { collections } from '../../stores/collections';
import { consoleTenant, staffPassword } from '../support/console-tenant';
import { eventually, postJson, startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { signedVisitor } from '../support/identity';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.close();
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${engine.app.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as unknown };
}

async function openChat(tenantId: string) {
  const opened = await postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: signedVisitor(tenantId, uniqueId('visitor')),
    channel: 'web',
    entry: { type: 'order', ref: 'ord-1' },
  });
  return opened.body as { sessionId: string; visitorToken: string };
}

async function agentToken(tenantId: string, agentId: string) {
  const login = await postJson(engine.app, '/api/v1/auth/agent-login', {
    tenantId,
    agentId,
    password: staffPassword,
  });
  return (login.body as { token: string }).token;
}

describe('session command routes', () => {
  it('when a shopper asks for a person, then the session queues and its state shows the position; an agent then accepts the offer, transfers and closes, and the shopper rates', async () => {
    const lin = uniqueId('lin');
    const mei = uniqueId('mei');
    const { tenantId } = await consoleTenant(engine, {
      reserve: true,
      staff: [
        { agentId: lin, role: 'agent', capacity: 2 },
        { agentId: mei, role: 'agent', capacity: 2 },
      ],
    });
    const { sessionId, visitorToken } = await openChat(tenantId);
    const base = `/api/v1/sessions/${sessionId}`;

    expect(await call('GET', `${base}/state`, visitorToken)).toMatchObject({
      status: 200,
      body: { sessionId, phase: 'robot', entry: { type: 'order', ref: 'ord-1' } },
    });
    const queued = await call('POST', `${base}/human`, visitorToken);
    expect(queued).toMatchObject({ status: 200, body: { phase: 'queued' } });
    // The position is posted right after queueing; the state shows it then.
    await eventually(async () => {
      const state = await call('GET', `${base}/state`, visitorToken);
      return (state.body as { queuePosition?: number }).queuePosition === 1 ? true : undefined;
    });
    // Only the robot phase takes the request: a second one is a clear refusal.
    expect(await call('POST', `${base}/human`, visitorToken)).toMatchObject({
      status: 409,
      body: { error: { code: 'wrong_phase' } },
    });
    // A rating before the chat is closed is refused; a bad score names the field.
    expect(await call('POST', `${base}/rating`, visitorToken, { score: 6 })).toMatchObject({
      status: 400,
      body: { error: { fields: [{ path: 'score' }] } },
    });

    const linToken = await agentToken(tenantId, lin);
    const meiToken = await agentToken(tenantId, mei);
    // Mei is not offered anything: the session is not hers to see.
    expect((await call('GET', `${base}/state`, meiToken)).status).toBe(404);
    await call('PUT', `/api/v1/agents/${lin}/status`, linToken, { status: 'online' });
    const offered = await eventually(async () => {
      const state = await call('GET', `${base}/state`, linToken);
      const body = state.body as { phase?: string; offerExpiresAt?: string };
      return body.phase === 'reserved' ? body : undefined;
    });
    expect(Date.parse(offered.offerExpiresAt ?? '')).toBeGreaterThan(Date.now());
    expect(await call('POST', `${base}/offer/accept`, linToken)).toMatchObject({
      status: 200,
      body: { phase: 'assigned', agentId: lin },
    });

    // Transfer to an agent who is offline: refused with the reason, nothing changes.
    expect(await call('POST', `${base}/transfer`, linToken, { toAgentId: mei })).toMatchObject({
      status: 422,
      body: { error: { code: 'target_unavailable' } },
    });
    expect(
      await call('POST', `${base}/transfer`, linToken, { toAgentId: mei, toGroupId: 'sales' }),
    ).toMatchObject({ status: 400 });
    await call('PUT', `/api/v1/agents/${mei}/status`, meiToken, { status: 'online' });
    const targets = await call('GET', '/api/v1/transfer-targets', linToken);
    expect(targets.body).toMatchObject({
      agents: expect.arrayContaining([
        { agentId: lin, status: 'online', load: 1, capacity: 2, groups: ['sales'] },
        { agentId: mei, status: 'online', load: 0, capacity: 2, groups: ['sales'] },
      ]) as unknown,
      groups: [{ groupId: 'sales', queueLength: 0, longestWaitMs: 0 }],
    });
    expect(await call('POST', `${base}/transfer`, linToken, { toAgentId: mei })).toMatchObject({
      status: 200,
      body: { phase: 'assigned', agentId: mei },
    });
    // Lin no longer holds it: closing is refused as if it did not exist.
    expect((await call('POST', `${base}/close`, linToken)).status).toBe(404);
    expect(await call('POST', `${base}/close`, meiToken)).toMatchObject({
      status: 200,
      body: { phase: 'closed', closeReason: 'agent' },
    });
    expect(
      await call('POST', `${base}/rating`, visitorToken, { score: 5, comment: 'Great' }),
    ).toMatchObject({ status: 200, body: { phase: 'rated', rating: { score: 5 } } });
  });

  it('when the shopper leaves while an offer is pending, then the closed session has no agent and the offered agent cannot read it', async () => {
    const lin = uniqueId('lin');
    const { tenantId } = await consoleTenant(engine, {
      reserve: true,
      staff: [{ agentId: lin, role: 'agent', capacity: 2 }],
    });
    const { sessionId, visitorToken } = await openChat(tenantId);
    const base = `/api/v1/sessions/${sessionId}`;
    expect(await call('POST', `${base}/human`, visitorToken)).toMatchObject({ status: 200 });
    const linToken = await agentToken(tenantId, lin);
    await call('PUT', `/api/v1/agents/${lin}/status`, linToken, { status: 'online' });
    await eventually(async () => {
      const state = await call('GET', `${base}/state`, linToken);
      return (state.body as { phase?: string }).phase === 'reserved' ? true : undefined;
    });
    expect(await call('POST', `${base}/close`, visitorToken)).toMatchObject({
      status: 200,
      body: { phase: 'closed' },
    });
    const doc = await eventually(async () => {
      const found = await collections(engine.db).sessions.findOne({ _id: sessionId });
      return found?.phase === 'closed' ? found : undefined;
    });
    expect(doc.agentId).toBeUndefined();
    expect((await call('GET', `${base}/messages?afterSeq=0`, linToken)).status).toBe(403);
  });

  it('when a token of another tenant or another session calls, then the session answers 404 and nothing changes', async () => {
    const { tenantId } = await consoleTenant(engine, { reserve: false, staff: [] });
    const other = await consoleTenant(engine, { reserve: false, staff: [] });
    const mine = await openChat(tenantId);
    const theirs = await openChat(other.tenantId);
    const path = `/api/v1/sessions/${mine.sessionId}`;
    expect((await call('GET', `${path}/state`, theirs.visitorToken)).status).toBe(404);
    expect((await call('POST', `${path}/human`, theirs.visitorToken)).status).toBe(404);
    expect((await call('POST', `${path}/close`, other.adminKey)).status).toBe(404);
    // A shopper may not transfer or read the monitor's figures.
    expect(
      (await call('POST', `${path}/transfer`, mine.visitorToken, { toGroupId: 'sales' })).status,
    ).toBe(403);
    expect((await call('GET', '/api/v1/stats/live', mine.visitorToken)).status).toBe(403);
    expect(await call('GET', `${path}/state`, mine.visitorToken)).toMatchObject({
      body: { phase: 'robot' },
    });
  });

  it('when the shop is closed, then asking for a person opens the leave-message form, and the message becomes an open ticket', async () => {
    const { tenantId, adminKey } = await consoleTenant(engine, {
      reserve: false,
      staff: [],
      closed: true,
    });
    const { sessionId, visitorToken } = await openChat(tenantId);
    const base = `/api/v1/sessions/${sessionId}`;
    expect(await call('POST', `${base}/human`, visitorToken)).toMatchObject({
      body: { phase: 'leave_message' },
    });
    expect(
      await call('POST', `${base}/leave-message`, visitorToken, { contact: {}, content: ' ' }),
    ).toMatchObject({ status: 400, body: { error: { fields: [{ path: 'content' }] } } });
    expect(
      await call('POST', `${base}/leave-message`, visitorToken, {
        contact: { phone: '+86 138 0000 0000' },
        content: 'Please call me about my order',
      }),
    ).toMatchObject({ status: 200, body: { ticketId: expect.any(String) as unknown } });
    await eventually(async () => {
      const state = await call('GET', `${base}/state`, visitorToken);
      return (state.body as { closeReason?: string }).closeReason === 'left_message'
        ? true
        : undefined;
    });
    const tickets = await call('GET', '/api/v1/tickets?status=open', adminKey);
    expect(tickets.body).toMatchObject({
      items: [{ sessionId, content: 'Please call me about my order', status: 'open' }],
    });
  });
});
