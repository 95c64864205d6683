import { z } from 'zod';
import { startedSession } from '../../api/openapi';
import { customerProfileView, messagePage, ticketView } from '../../api/views';
import { apiKeyStore } from '../../stores/api-keys';
import { collections } from '../../stores/collections';
import { call, callOk } from '../support/api-client';
import { agentSend, agentToken, connectAgent, desk, ok, type AgentSocket } from '../support/chat';
import { eventually, postJson, startTestEngine, type TestEngine } from '../support/engine';
import { identityToken } from '../support/identity';
import { uniqueId } from '../support/stack';

/**
 * The agent's side panel beyond the chat: tickets made from a chat, assigned
 * and resolved from the console (with their webhook events), the customer's
 * profile with the name they gave, and their earlier chats read-only.
 */

let engine: TestEngine;
const sockets: AgentSocket[] = [];
beforeAll(async () => {
  engine = await startTestEngine();
});
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await engine.close();
});

const problem = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string() })),
  }),
});

/**
 * Opens chat as `visitorId` (a verified identity JWT with attributes, and the
 * name typed in the widget) and waits until the session is assigned.
 */
async function openChat(tenantId: string, visitorId: string, entryRef = 'o-42') {
  const response = await postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: {
      token: identityToken(tenantId, {
        sub: visitorId,
        email: 'lin@example.com',
        attributes: { plan: 'gold', orders: 7 },
      }),
      name: 'Lin Mei',
    },
    channel: 'web',
    entry: { type: 'order', ref: entryRef },
  });
  const started = startedSession.parse(response.body);
  const doc = await eventually(async () => {
    const found = await collections(engine.db).sessions.findOne({
      _id: started.sessionId,
      tenantId,
    });
    return found?.phase === 'assigned' && found.agentId ? found : undefined;
  });
  return { ...started, agentId: doc.agentId ?? '' };
}

async function shop() {
  const ann = uniqueId('ann');
  const bob = uniqueId('bob');
  const tenantId = await desk(engine, [ann]);
  // Bob is an agent of the tenant, in no group that takes chats.
  await collections(engine.db).agents.insertOne({
    _id: `${tenantId}:${bob}`,
    tenantId,
    agentId: bob,
    capacity: 1,
    groups: [],
    status: 'offline',
    updatedAt: new Date(),
  });
  const adminKey = (await apiKeyStore(engine.db).create(tenantId, 'test', 'admin')).key;
  return { tenantId, ann, bob, adminKey };
}

async function recorded(tenantId: string, type: string, ticketId: string) {
  return eventually(() =>
    collections(engine.db)
      .events.findOne({ tenantId, type: type as 'ticket.created', 'data.ticketId': ticketId })
      .then((found) => found ?? undefined),
  );
}

describe('tickets from a chat', () => {
  it('when the agent makes a ticket from the chat they hold, then it is linked to the session and customer, carries the contact, the order and the chat’s latest lines, and ticket.created is recorded', async () => {
    const { tenantId, ann } = await shop();
    const visitorId = uniqueId('lin');
    const chat = await openChat(tenantId, visitorId);
    const socket = await connectAgent(engine.app.url, agentToken(tenantId, ann));
    sockets.push(socket);
    ok(
      await agentSend(socket, {
        sessionId: chat.sessionId,
        clientMsgId: 'c-1',
        kind: 'text',
        text: 'I will ask the warehouse about the broken mug',
      }),
    );
    const answer = await call(engine.app, 'POST', `/api/v1/sessions/${chat.sessionId}/tickets`, {
      token: agentToken(tenantId, ann),
      body: { content: 'Replace the broken mug', assigneeId: ann },
    });
    expect(answer.status).toBe(201);
    const ticket = ticketView.parse(answer.body);
    expect(ticket).toMatchObject({
      sessionId: chat.sessionId,
      visitorId,
      source: 'chat',
      createdBy: ann,
      status: 'assigned',
      assigneeId: ann,
      content: 'Replace the broken mug',
      contact: { name: 'Lin Mei', email: 'lin@example.com', orderRef: 'o-42' },
      context: { entry: { type: 'order', ref: 'o-42' }, channel: 'web', agentId: ann },
    });
    expect(ticket.context?.lastMessages.at(-1)).toMatchObject({
      sender: 'agent',
      text: 'I will ask the warehouse about the broken mug',
    });
    const created = await recorded(tenantId, 'ticket.created', ticket.ticketId);
    expect(created.data).toMatchObject({
      source: 'chat',
      status: 'open',
      sessionId: chat.sessionId,
    });
    await recorded(tenantId, 'ticket.assigned', ticket.ticketId);
  });

  it('when the ticket names an assignee of another tenant, then 422 naming the field and nothing is stored; staff who may not see the session get 403 or 404', async () => {
    const { tenantId, ann, bob } = await shop();
    const chat = await openChat(tenantId, uniqueId('lin'));
    const other = await shop();
    const path = `/api/v1/sessions/${chat.sessionId}/tickets`;
    const foreign = await call(engine.app, 'POST', path, {
      token: agentToken(tenantId, 'sue', 'supervisor'),
      body: { content: 'Call back', assigneeId: other.ann },
    });
    expect(foreign.status).toBe(422);
    expect(problem.parse(foreign.body).error.fields.map((f) => f.path)).toEqual(['assigneeId']);
    // An agent assigns only to themselves.
    const toColleague = await call(engine.app, 'POST', path, {
      token: agentToken(tenantId, ann),
      body: { content: 'Call back', assigneeId: bob },
    });
    expect(toColleague.status).toBe(403);
    // Bob does not hold the chat; the other tenant's staff do not find it.
    const notHis = await call(engine.app, 'POST', path, {
      token: agentToken(tenantId, bob),
      body: { content: 'Call back' },
    });
    expect(notHis.status).toBe(403);
    const otherTenant = await call(engine.app, 'POST', path, {
      token: agentToken(other.tenantId, other.ann, 'supervisor'),
      body: { content: 'Call back' },
    });
    expect(otherTenant.status).toBe(404);
    expect(await collections(engine.db).tickets.countDocuments({ tenantId })).toBe(0);
  });

  it('when a supervisor assigns the ticket and its agent resolves it with a note, then the console’s calls succeed and ticket.assigned and ticket.resolved are recorded; another tenant’s agent is refused naming agentId', async () => {
    const { tenantId, ann, bob } = await shop();
    const chat = await openChat(tenantId, uniqueId('lin'));
    const ticket = ticketView.parse(
      await callOk(engine.app, 'POST', `/api/v1/sessions/${chat.sessionId}/tickets`, {
        token: agentToken(tenantId, ann),
        body: { content: 'Send a new mug' },
      }),
    );
    expect(ticket.status).toBe('open');
    const supervisor = agentToken(tenantId, 'sue', 'supervisor');
    const other = await shop();
    const foreign = await call(engine.app, 'POST', `/api/v1/tickets/${ticket.ticketId}/assign`, {
      token: supervisor,
      body: { agentId: other.ann },
    });
    expect(foreign.status).toBe(422);
    expect(problem.parse(foreign.body).error.fields.map((f) => f.path)).toEqual(['agentId']);
    const assigned = ticketView.parse(
      await callOk(engine.app, 'POST', `/api/v1/tickets/${ticket.ticketId}/assign`, {
        token: supervisor,
        body: { agentId: bob },
      }),
    );
    expect(assigned).toMatchObject({ status: 'assigned', assigneeId: bob });
    // Ann cannot take Bob's ticket, nor resolve it.
    const taken = await call(engine.app, 'POST', `/api/v1/tickets/${ticket.ticketId}/assign`, {
      token: agentToken(tenantId, ann),
      body: { agentId: ann },
    });
    expect(taken.status).toBe(403);
    const notHers = await call(engine.app, 'POST', `/api/v1/tickets/${ticket.ticketId}/resolve`, {
      token: agentToken(tenantId, ann),
      body: { resolution: 'done' },
    });
    expect(notHers.status).toBe(403);
    const resolved = ticketView.parse(
      await callOk(engine.app, 'POST', `/api/v1/tickets/${ticket.ticketId}/resolve`, {
        token: agentToken(tenantId, bob),
        body: { resolution: 'New mug sent with tracking JD0142' },
      }),
    );
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolution: 'New mug sent with tracking JD0142',
    });
    const event = await recorded(tenantId, 'ticket.resolved', ticket.ticketId);
    expect(event.data).toMatchObject({ resolution: 'New mug sent with tracking JD0142' });
    await recorded(tenantId, 'ticket.assigned', ticket.ticketId);
  });
});

describe('the customer panel’s data', () => {
  it('when the shopper gives a name at the start of chat, then their profile keeps it as the given name beside the verified claims and attributes', async () => {
    const { tenantId, ann } = await shop();
    const visitorId = uniqueId('lin');
    await openChat(tenantId, visitorId);
    const profile = customerProfileView.parse(
      await callOk(engine.app, 'GET', `/api/v1/customers/${visitorId}`, {
        token: agentToken(tenantId, ann),
      }),
    );
    expect(profile).toMatchObject({
      visitorId,
      identity: 'verified',
      givenName: 'Lin Mei',
      email: 'lin@example.com',
      attributes: { plan: 'gold', orders: 7 },
    });
    expect(profile.name).toBeUndefined();
  });

  it('when the agent serving a customer opens an earlier chat of theirs, then its messages read; an agent who never served them, or a chat still open, is not found', async () => {
    const { tenantId, ann, bob } = await shop();
    const visitorId = uniqueId('lin');
    const first = await openChat(tenantId, visitorId, 'o-1');
    await callOk(engine.app, 'POST', `/api/v1/sessions/${first.sessionId}/close`, {
      token: agentToken(tenantId, ann),
    });
    await eventually(async () => {
      const doc = await collections(engine.db).sessions.findOne({ _id: first.sessionId, tenantId });
      return doc?.phase === 'closed' || doc?.phase === 'rated' ? doc : undefined;
    });
    const second = await openChat(tenantId, visitorId, 'o-2');
    const path = (sessionId: string) =>
      `/api/v1/customers/${visitorId}/sessions/${sessionId}/messages`;
    const page = messagePage.parse(
      await callOk(engine.app, 'GET', path(first.sessionId), { token: agentToken(tenantId, ann) }),
    );
    expect(page.messages.length).toBeGreaterThan(0);
    expect(page.messages.every((m) => m.sessionId === first.sessionId)).toBe(true);
    const stranger = await call(engine.app, 'GET', path(first.sessionId), {
      token: agentToken(tenantId, bob),
    });
    expect(stranger.status).toBe(404);
    const open = await call(engine.app, 'GET', path(second.sessionId), {
      token: agentToken(tenantId, ann),
    });
    expect(open.status).toBe(404);
    const other = await shop();
    const foreign = await call(engine.app, 'GET', path(first.sessionId), {
      token: agentToken(other.tenantId, other.ann, 'supervisor'),
    });
    expect(foreign.status).toBe(404);
  });
});
