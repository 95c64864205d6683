import { agentSession, agentView, closedAccountView } from '../../api/views';
import { errorBody, startedSession } from '../../api/openapi';
import type { AccessRevoked } from '../../domain/socket-events';
import { collections } from '../../stores/collections';
import { ticketStore } from '../../stores/tickets';
import { call, operatorTenant, testOperatorToken, useManualPresence } from '../support/api-client';
import { agentToken, connectAgent, openAssigned, waitFor, type AgentSocket } from '../support/chat';
import { eventually, postJson, startTestEngine, type TestEngine } from '../support/engine';
import { installIdentitySecret, signedVisitor } from '../support/identity';
import { uniqueId } from '../support/stack';

/**
 * Staff accounts taken back: deactivate and reactivate, delete, logout and
 * "revoke every token", each felt at once by tokens, sockets, login and
 * routing; held sessions go back to their group's queue.
 */
let engine: TestEngine;
const sockets: AgentSocket[] = [];
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
});
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await engine.close();
});

const password = 'correct horse battery';
const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(engine.app, method, path, options);
const errorCode = (answer: { body: unknown }) => errorBody.parse(answer.body).error.code;

/** A tenant with group `sales`, whose sessions skip the robot, and staff with passwords. */
async function staffDesk(
  staff: { agentId: string; role?: 'agent' | 'supervisor' }[],
  group: { reserve?: boolean } = {},
) {
  const { tenantId, adminKey } = await operatorTenant(engine.app, {
    flow: { robot: { enabled: false }, routing: { defaultGroupId: 'sales' } },
  });
  await installIdentitySecret(engine.db, tenantId);
  await useManualPresence(engine.app, adminKey);
  const admin = (method: string, path: string, body?: unknown) =>
    api(method, path, { token: adminKey, ...(body !== undefined ? { body } : {}) });
  expect((await admin('PUT', '/api/v1/groups/sales', group)).status).toBe(200);
  for (const { agentId, role } of staff) {
    const put = await admin('PUT', `/api/v1/agents/${agentId}`, {
      role: role ?? 'agent',
      capacity: 3,
      groups: ['sales'],
      password,
    });
    expect(put.status).toBe(200);
  }
  const login = async (agentId: string) => {
    const answer = await api('POST', '/api/v1/auth/agent-login', {
      body: { tenantId, agentId, password },
    });
    expect(answer.status).toBe(200);
    return agentSession.parse(answer.body).token;
  };
  const online = async (agentId: string, token: string) => {
    const answer = await api('PUT', `/api/v1/agents/${agentId}/status`, {
      token,
      body: { status: 'online' },
    });
    expect(answer.status).toBe(200);
  };
  return { tenantId, adminKey, admin, login, online };
}

/** Collects what a socket hears when its access ends. */
function watchRevocation(socket: AgentSocket) {
  const seen: { revoked?: AccessRevoked; disconnect?: string } = {};
  socket.on('access:revoked', (notice) => {
    seen.revoked = notice;
  });
  socket.on('disconnect', (reason) => {
    seen.disconnect = reason;
  });
  return seen;
}

const sessionDoc = (tenantId: string, sessionId: string) =>
  collections(engine.db).sessions.findOne({ _id: sessionId, tenantId });

describe('deactivate and reactivate', () => {
  it('when an agent holding a session is deactivated, then its token, socket and login stop at once, it goes offline, and the session goes to another agent of its group', async () => {
    const desk = await staffDesk([{ agentId: 'ann' }, { agentId: 'bob' }]);
    const ann = await desk.login('ann');
    await desk.online('ann', ann);
    const session = await openAssigned(engine, desk.tenantId);
    expect(session.agentId).toBe('ann');
    const bob = await desk.login('bob');
    await desk.online('bob', bob);
    const socket = await connectAgent(engine.app.url, ann);
    sockets.push(socket);
    const seen = watchRevocation(socket);

    const answer = await desk.admin('POST', '/api/v1/agents/ann/deactivate');
    expect(answer.status).toBe(200);
    expect(closedAccountView.parse(answer.body)).toEqual({
      agentId: 'ann',
      active: false,
      sessions: { requeued: [session.sessionId], closed: [] },
    });

    expect((await api('GET', '/api/v1/agents/ann', { token: ann })).status).toBe(401);
    await waitFor(() => seen.disconnect !== undefined, 2_000);
    expect(seen).toEqual({
      revoked: { reason: 'deactivated' },
      disconnect: 'io server disconnect',
    });
    await expect(connectAgent(engine.app.url, ann)).rejects.toThrow(/unauthorized/);
    const login = await api('POST', '/api/v1/auth/agent-login', {
      body: { tenantId: desk.tenantId, agentId: 'ann', password },
    });
    expect(login.status).toBe(401);
    expect(errorCode(login)).toBe('account_inactive');
    const view = agentView.parse((await desk.admin('GET', '/api/v1/agents/ann')).body);
    expect(view).toMatchObject({ active: false, status: 'offline' });
    // Nobody can put a deactivated agent back online.
    const online = await desk.admin('PUT', '/api/v1/agents/ann/status', { status: 'online' });
    expect(online.status).toBe(409);
    expect(errorCode(online)).toBe('account_inactive');

    // Handed back through the group's queue to the other agent, history kept.
    const moved = await eventually(async () => {
      const doc = await sessionDoc(desk.tenantId, session.sessionId);
      return doc?.phase === 'assigned' && doc.agentId === 'bob' ? doc : undefined;
    });
    expect(moved.transfers).toEqual([
      expect.objectContaining({ fromAgentId: 'ann', toGroupId: 'sales' }),
    ]);
  });

  it('when a deactivated agent holding sessions is the only one of its group, then the sessions wait in the queue and the next agent online gets them', async () => {
    const desk = await staffDesk([{ agentId: 'cy' }, { agentId: 'di' }]);
    const cy = await desk.login('cy');
    await desk.online('cy', cy);
    const first = await openAssigned(engine, desk.tenantId);
    const second = await openAssigned(engine, desk.tenantId);
    const answer = await desk.admin('POST', '/api/v1/agents/cy/deactivate');
    expect(closedAccountView.parse(answer.body).sessions.requeued.sort()).toEqual(
      [first.sessionId, second.sessionId].sort(),
    );
    const phases = async () =>
      Promise.all(
        [first, second].map(async (s) => (await sessionDoc(desk.tenantId, s.sessionId))?.phase),
      );
    expect(await phases()).toEqual(['queued', 'queued']);
    await desk.online('di', await desk.login('di'));
    await eventually(async () => {
      const docs = await Promise.all(
        [first, second].map((s) => sessionDoc(desk.tenantId, s.sessionId)),
      );
      return docs.every((d) => d?.phase === 'assigned' && d.agentId === 'di') ? true : undefined;
    });
  });

  it('when an agent is deactivated while a session is offered to it, then the offer is withdrawn and the next agent online is offered the session', async () => {
    const desk = await staffDesk([{ agentId: 'fin' }, { agentId: 'gil' }], { reserve: true });
    await desk.online('fin', await desk.login('fin'));
    const started = await postJson(engine.app, '/api/v1/sessions', {
      tenantId: desk.tenantId,
      visitor: signedVisitor(desk.tenantId, uniqueId('visitor')),
      channel: 'web',
      entry: { type: 'order' },
    });
    const { sessionId } = startedSession.parse(started.body);
    await eventually(async () => {
      const doc = await sessionDoc(desk.tenantId, sessionId);
      return doc?.phase === 'reserved' && doc.agentId === 'fin' ? true : undefined;
    });

    const answer = await desk.admin('POST', '/api/v1/agents/fin/deactivate');
    expect(closedAccountView.parse(answer.body).sessions.requeued).toEqual([sessionId]);
    await eventually(async () =>
      (await sessionDoc(desk.tenantId, sessionId))?.phase === 'queued' ? true : undefined,
    );
    await desk.online('gil', await desk.login('gil'));
    await eventually(async () => {
      const doc = await sessionDoc(desk.tenantId, sessionId);
      return doc?.phase === 'reserved' && doc.agentId === 'gil' ? true : undefined;
    });
  });

  it('when a deactivated agent is reactivated, then it may log in again, but tokens from before stay revoked', async () => {
    const desk = await staffDesk([{ agentId: 'eve' }]);
    const before = await desk.login('eve');
    expect((await desk.admin('POST', '/api/v1/agents/eve/deactivate')).status).toBe(200);
    const activated = await desk.admin('POST', '/api/v1/agents/eve/activate');
    expect(activated).toEqual({ status: 200, body: { agentId: 'eve', active: true } });
    expect(agentView.parse((await desk.admin('GET', '/api/v1/agents/eve')).body).active).toBe(true);
    expect((await api('GET', '/api/v1/agents/eve', { token: before })).status).toBe(401);
    const after = await desk.login('eve');
    expect((await api('GET', '/api/v1/agents/eve', { token: after })).status).toBe(200);
    await desk.online('eve', after);
  });

  it('when an unknown agent is deactivated, reactivated, deleted or has its tokens revoked, then 404', async () => {
    const desk = await staffDesk([]);
    for (const [method, path] of [
      ['POST', '/api/v1/agents/nobody/deactivate'],
      ['POST', '/api/v1/agents/nobody/activate'],
      ['DELETE', '/api/v1/agents/nobody'],
      ['POST', '/api/v1/agents/nobody/revoke-tokens'],
    ] as const) {
      expect((await desk.admin(method, path)).status).toBe(404);
    }
  });

  it('when a supervisor or an integration key tries to deactivate an agent, then 403', async () => {
    const desk = await staffDesk([{ agentId: 'fay' }, { agentId: 'gus', role: 'supervisor' }]);
    const gus = await desk.login('gus');
    const asSupervisor = await api('POST', '/api/v1/agents/fay/deactivate', { token: gus });
    expect(asSupervisor.status).toBe(403);
    const key = await desk.admin('POST', '/api/v1/api-keys', { name: 'erp', role: 'integration' });
    const integration = (key.body as { key: string }).key;
    expect(
      (await api('POST', '/api/v1/agents/fay/deactivate', { token: integration })).status,
    ).toBe(403);
    expect(agentView.parse((await desk.admin('GET', '/api/v1/agents/fay')).body).active).toBe(true);
  });
});

describe('delete', () => {
  it('when an agent holding a session is deleted, then it is gone from routing and lists, its token and login fail like an unknown agent, its personal quick replies go, and the session is queued again', async () => {
    const desk = await staffDesk([{ agentId: 'hal' }]);
    const hal = await desk.login('hal');
    await desk.online('hal', hal);
    const reply = await api('POST', '/api/v1/quick-replies', {
      token: hal,
      body: { shortcut: '/bye', text: 'Bye!' },
    });
    expect(reply.status).toBe(201);
    const session = await openAssigned(engine, desk.tenantId);

    const answer = await desk.admin('DELETE', '/api/v1/agents/hal');
    expect(answer.status).toBe(200);
    expect(closedAccountView.parse(answer.body).sessions.requeued).toEqual([session.sessionId]);

    expect((await desk.admin('GET', '/api/v1/agents/hal')).status).toBe(404);
    const list = await desk.admin('GET', '/api/v1/agents');
    expect((list.body as { items: unknown[] }).items).toEqual([]);
    expect((await api('GET', '/api/v1/groups', { token: hal })).status).toBe(401);
    const login = await api('POST', '/api/v1/auth/agent-login', {
      body: { tenantId: desk.tenantId, agentId: 'hal', password },
    });
    const unknown = await api('POST', '/api/v1/auth/agent-login', {
      body: { tenantId: desk.tenantId, agentId: 'nobody', password },
    });
    expect(login.status).toBe(401);
    expect(login.body).toEqual(unknown.body);
    expect(
      await collections(engine.db).quickReplies.countDocuments({
        tenantId: desk.tenantId,
        ownerId: 'hal',
      }),
    ).toBe(0);
    expect(await collections(engine.db).agents.countDocuments({ tenantId: desk.tenantId })).toBe(0);
    await eventually(async () =>
      (await sessionDoc(desk.tenantId, session.sessionId))?.phase === 'queued' ? true : undefined,
    );
    // Deleting again finds nothing.
    expect((await desk.admin('DELETE', '/api/v1/agents/hal')).status).toBe(404);
  });

  it('when a deleted agent id is made again, then it is a new account: the old tokens stay refused, a new login works', async () => {
    const desk = await staffDesk([{ agentId: 'ida' }]);
    const old = await desk.login('ida');
    expect((await desk.admin('DELETE', '/api/v1/agents/ida')).status).toBe(200);
    const again = await desk.admin('PUT', '/api/v1/agents/ida', {
      capacity: 2,
      groups: ['sales'],
      password,
    });
    expect(again.status).toBe(200);
    expect(agentView.parse(again.body)).toMatchObject({ active: true, hasPassword: true });
    expect((await api('GET', '/api/v1/agents/ida', { token: old })).status).toBe(401);
    const fresh = await desk.login('ida');
    expect((await api('GET', '/api/v1/agents/ida', { token: fresh })).status).toBe(200);
  });

  it('when open tickets are assigned to the agent, then deleting it is refused with 409 and nothing changes', async () => {
    const desk = await staffDesk([{ agentId: 'jo' }]);
    const jo = await desk.login('jo');
    const tickets = ticketStore(engine.db);
    const ticketId = await tickets.open(desk.tenantId, uniqueId('session'), 'v1', 'sales', {
      contact: {},
      content: 'Call me',
    });
    await tickets.assign(desk.tenantId, ticketId, 'jo');

    const refused = await desk.admin('DELETE', '/api/v1/agents/jo');
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe('still_referenced');
    expect(errorBody.parse(refused.body).error.referrers).toEqual([
      { kind: 'ticket', ids: [ticketId] },
    ]);
    expect((await api('GET', '/api/v1/agents/jo', { token: jo })).status).toBe(200);
    expect(agentView.parse((await desk.admin('GET', '/api/v1/agents/jo')).body).active).toBe(true);
  });
});

describe('logout and token revocation', () => {
  it('when an agent logs out, then that token stops on every route and its socket is disconnected, while the agent’s other token keeps working', async () => {
    const desk = await staffDesk([{ agentId: 'kim' }]);
    const tab = await desk.login('kim');
    const phone = await desk.login('kim');
    const tabSocket = await connectAgent(engine.app.url, tab);
    const phoneSocket = await connectAgent(engine.app.url, phone);
    sockets.push(tabSocket, phoneSocket);
    const tabSeen = watchRevocation(tabSocket);
    const phoneSeen = watchRevocation(phoneSocket);

    expect(await api('POST', '/api/v1/auth/logout', { token: tab })).toEqual({
      status: 204,
      body: undefined,
    });
    expect((await api('GET', '/api/v1/agents/kim', { token: tab })).status).toBe(401);
    expect((await api('POST', '/api/v1/auth/logout', { token: tab })).status).toBe(401);
    await waitFor(() => tabSeen.disconnect !== undefined, 2_000);
    expect(tabSeen).toEqual({
      revoked: { reason: 'logged_out' },
      disconnect: 'io server disconnect',
    });
    await expect(connectAgent(engine.app.url, tab)).rejects.toThrow(/unauthorized/);

    expect((await api('GET', '/api/v1/agents/kim', { token: phone })).status).toBe(200);
    expect(phoneSocket.connected).toBe(true);
    expect(phoneSeen).toEqual({});
  });

  it('when a token minted for an account the engine has no record of logs out, then that token is refused from then on', async () => {
    const desk = await staffDesk([]);
    const minted = agentToken(desk.tenantId, 'tooling', 'supervisor');
    expect((await api('GET', '/api/v1/agents', { token: minted })).status).toBe(200);
    expect((await api('POST', '/api/v1/auth/logout', { token: minted })).status).toBe(204);
    expect((await api('GET', '/api/v1/agents', { token: minted })).status).toBe(401);
    expect(
      (
        await api('GET', '/api/v1/agents', {
          token: agentToken(desk.tenantId, 'tooling', 'supervisor'),
        })
      ).status,
    ).toBe(200);
  });

  it('when an admin or the operator calls logout, then 403: only agent tokens log out', async () => {
    const desk = await staffDesk([]);
    expect((await desk.admin('POST', '/api/v1/auth/logout')).status).toBe(403);
    expect((await api('POST', '/api/v1/auth/logout', { token: testOperatorToken })).status).toBe(
      403,
    );
  });

  it('when an admin revokes every token of an agent, then all its tokens and sockets stop, and it may log in again', async () => {
    const desk = await staffDesk([{ agentId: 'lee', role: 'supervisor' }]);
    const one = await desk.login('lee');
    const two = await desk.login('lee');
    const socket = await connectAgent(engine.app.url, two);
    sockets.push(socket);
    const seen = watchRevocation(socket);

    const answer = await desk.admin('POST', '/api/v1/agents/lee/revoke-tokens');
    expect(answer.status).toBe(200);
    for (const token of [one, two]) {
      expect((await api('GET', '/api/v1/agents', { token })).status).toBe(401);
    }
    await waitFor(() => seen.disconnect !== undefined, 2_000);
    expect(seen.revoked).toEqual({ reason: 'tokens_revoked' });
    const three = await desk.login('lee');
    expect((await api('GET', '/api/v1/agents', { token: three })).status).toBe(200);
  });
});
