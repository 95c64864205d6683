import { errorBody, startedSession } from '../../api/openapi';
import {
  agentSession,
  customerProfileView,
  identitySettingsView,
  rotatedSecret,
  sessionView,
} from '../../api/views';
import type { ChatMessage } from '../../domain/message';
import { identityHash, signIdentityToken } from '../../runtime/shopper-identity';
import { issueAgentToken, issueVisitorCredential, issueVisitorToken } from '../../runtime/tokens';
import { collections } from '../../stores/collections';
import { sessionStore } from '../../stores/sessions';
import { call, operatorTenant, testOperatorToken, type ApiAnswer } from '../support/api-client';
import { ok, visitorSend, visitorSync, waitFor } from '../support/chat';
import {
  connectVisitor,
  eventually,
  startTestEngine,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { testSecret, uniqueId } from '../support/stack';

/**
 * The identity matrix (DESIGN.md §7): every way of claiming someone else's
 * chat — a bare id, a forged or borrowed signature, another tenant's
 * secret, an expired or over-long JWT, a replayed anonymous credential, a
 * token on the socket that is not for this session — is refused, and the
 * refusal carries nothing of the conversation. Tags a browser declares are
 * ignored; tags the merchant signs are used.
 */

let engine: TestEngine;
const workflowIds: string[] = [];
const sockets: VisitorSocket[] = [];
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const id of workflowIds) {
    await engine.temporal.client.workflow
      .getHandle(id)
      .terminate('test done')
      .catch(() => undefined);
  }
  await engine.close();
});

const api = (method: string, path: string, options?: { token?: string; body?: unknown }) =>
  call(engine.app, method, path, options);

interface Shop {
  tenantId: string;
  adminKey: string;
  secret: string;
}

/** A tenant made through the operator route, with an identity secret from its own rotate route. */
async function shop(flow?: unknown): Promise<Shop> {
  const { tenantId, adminKey } = await operatorTenant(engine.app, flow ? { flow } : {});
  const rotated = await api('POST', '/api/v1/identity/secrets', { token: adminKey });
  expect(rotated.status).toBe(201);
  return { tenantId, adminKey, secret: rotatedSecret.parse(rotated.body).secret };
}

const open = (tenantId: string, visitor?: unknown) =>
  api('POST', '/api/v1/sessions', {
    body: {
      tenantId,
      ...(visitor === undefined ? {} : { visitor }),
      channel: 'web',
      entry: { type: 'order', ref: 'o-1' },
    },
  });

function started(answer: ApiAnswer) {
  if (answer.status >= 300)
    throw new Error(`open answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const session = startedSession.parse(answer.body);
  workflowIds.push(session.workflowId);
  return session;
}

const now = () => Math.floor(Date.now() / 1000);
const jwt = (secret: string, claims: Record<string, unknown>) =>
  signIdentityToken(secret, { iat: now(), exp: now() + 600, ...claims });

/** A verified shopper with an open chat holding a private message. */
async function victimOf(s: Shop) {
  const visitorId = uniqueId('customer');
  const session = started(
    await open(s.tenantId, { id: visitorId, hash: identityHash(s.secret, visitorId) }),
  );
  const socket = await connectVisitor(engine.app, session.visitorToken);
  sockets.push(socket);
  const secret = uniqueId('my address is 12 Secret Lane');
  ok(await visitorSend(socket, { kind: 'text', clientMsgId: uniqueId('c'), text: secret }));
  return { visitorId, session, socket, secret };
}

/** A refusal: the expected status and code, and nothing of the victim's chat in the answer. */
function refused(answer: ApiAnswer, status: number, code: string, victimSessionId?: string) {
  expect([answer.status, errorBody.parse(answer.body).error.code]).toEqual([status, code]);
  const text = JSON.stringify(answer.body);
  expect(text).not.toContain('visitorToken');
  if (victimSessionId) expect(text).not.toContain(victimSessionId);
}

describe('opening chat (REST)', () => {
  it('when a caller names another visitor’s id without a valid signature — bare, forged, another visitor’s hash, another tenant’s secret, a rotated-out secret — then 401 naming the problem and no session is read or made', async () => {
    const a = await shop();
    const b = await shop();
    const victim = await victimOf(a);
    const attacker = uniqueId('attacker');
    const before = await collections(engine.db).openSessions.countDocuments({
      tenantId: a.tenantId,
    });

    refused(await open(a.tenantId, { id: victim.visitorId }), 401, 'identity_unverified');
    refused(
      await open(a.tenantId, { id: victim.visitorId, hash: 'ab'.repeat(32) }),
      401,
      'identity_invalid',
      victim.session.sessionId,
    );
    refused(
      await open(a.tenantId, { id: victim.visitorId, hash: identityHash(a.secret, attacker) }),
      401,
      'identity_invalid',
      victim.session.sessionId,
    );
    const otherTenant = await open(a.tenantId, {
      id: victim.visitorId,
      hash: identityHash(b.secret, victim.visitorId),
    });
    refused(otherTenant, 401, 'identity_invalid', victim.session.sessionId);
    expect(errorBody.parse(otherTenant.body).error.message).toMatch(/visitor\.hash/);
    // Declared tags and a name do not make a bare id any better.
    refused(
      await open(a.tenantId, { id: victim.visitorId, name: 'Me', tags: ['vip'] }),
      401,
      'identity_unverified',
    );

    // Rotation: the replaced secret still verifies; after the next rotation it no longer does.
    const oldHash = identityHash(a.secret, victim.visitorId);
    await api('POST', '/api/v1/identity/secrets', { token: a.adminKey });
    const during = started(await open(a.tenantId, { id: victim.visitorId, hash: oldHash }));
    expect(during).toMatchObject({ sessionId: victim.session.sessionId, attached: true });
    await api('POST', '/api/v1/identity/secrets', { token: a.adminKey });
    refused(
      await open(a.tenantId, { id: victim.visitorId, hash: oldHash }),
      401,
      'identity_invalid',
      victim.session.sessionId,
    );

    expect(await collections(engine.db).openSessions.countDocuments({ tenantId: a.tenantId })).toBe(
      before,
    );
  });

  it('when an identity JWT is expired, unsigned, too long-lived, signed by another tenant, or claims an anonymous id, then 401 naming the problem; a valid one attaches to the shopper’s own chat and fills their profile', async () => {
    const a = await shop();
    const b = await shop();
    const victim = await victimOf(a);
    const sub = victim.visitorId;
    const unsigned = (claims: Record<string, unknown>) =>
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const cases: [string, string, RegExp][] = [
      ['expired', jwt(a.secret, { sub, iat: now() - 7200, exp: now() - 3600 }), /expired/],
      ['alg none', unsigned({ sub, exp: now() + 600 }), /./],
      ['too long-lived', jwt(a.secret, { sub, exp: now() + 3 * 86_400 }), /at most/],
      ['another tenant’s secret', jwt(b.secret, { sub }), /identity secret/],
      ['no exp', signIdentityToken(a.secret, { sub }), /exp/],
      ['an anonymous id', jwt(a.secret, { sub: `anon-${uniqueId('x')}` }), /anon-/],
      ['a different id beside it', jwt(a.secret, { sub: uniqueId('other') }), /sub/],
    ];
    for (const [name, token, message] of cases) {
      const visitor = name === 'a different id beside it' ? { id: sub, token } : { token };
      const answer = await open(a.tenantId, visitor);
      refused(answer, 401, 'identity_invalid', victim.session.sessionId);
      expect([name, errorBody.parse(answer.body).error.message]).toEqual([
        name,
        expect.stringMatching(message),
      ]);
    }
    // A hash may not claim an engine-made id either.
    const anon = `anon-${uniqueId('x')}`;
    refused(
      await open(a.tenantId, { id: anon, hash: identityHash(a.secret, anon) }),
      401,
      'identity_invalid',
    );

    const own = started(
      await open(a.tenantId, {
        token: jwt(a.secret, {
          sub,
          name: 'Lin',
          email: 'lin@example.com',
          attributes: { plan: 'gold' },
          externalIds: { crm: 'c-9' },
        }),
      }),
    );
    expect(own).toMatchObject({
      sessionId: victim.session.sessionId,
      attached: true,
      visitorId: sub,
      identity: 'verified',
    });
    expect(own.visitorCredential).toBeUndefined();
    const profile = await api('GET', `/api/v1/customers/${sub}`, { token: a.adminKey });
    expect(customerProfileView.parse(profile.body)).toMatchObject({
      visitorId: sub,
      identity: 'verified',
      name: 'Lin',
      email: 'lin@example.com',
      attributes: { plan: 'gold' },
      externalIds: { crm: 'c-9' },
    });
    // The merchant's system changes it: null removes a field or an attribute, the rest merge.
    const patched = await api('PATCH', `/api/v1/customers/${sub}`, {
      token: a.adminKey,
      body: { email: null, phone: '+86 138 0000 0000', attributes: { plan: null, tier: 2 } },
    });
    const changed = customerProfileView.parse(patched.body);
    expect(changed).toMatchObject({
      name: 'Lin',
      phone: '+86 138 0000 0000',
      attributes: { tier: 2 },
      externalIds: { crm: 'c-9' },
    });
    expect([changed.email, changed.attributes.plan]).toEqual([undefined, undefined]);
    // Another tenant has no such customer.
    expect((await api('GET', `/api/v1/customers/${sub}`, { token: b.adminKey })).status).toBe(404);
  });

  it('when an anonymous credential is replayed with another id, in another tenant, as a visitor token, or after the tenant requires verified shoppers, then it is refused; presented as issued, it reattaches its own chat only', async () => {
    const a = await shop();
    const b = await shop();
    const victim = await victimOf(a);
    const first = started(await open(a.tenantId));
    expect(first).toMatchObject({ identity: 'anonymous', attached: false });
    expect(first.visitorId).toMatch(/^anon-/);
    const credential = first.visitorCredential ?? '';
    expect(credential).not.toBe('');

    const back = started(await open(a.tenantId, { credential }));
    expect(back).toMatchObject({
      sessionId: first.sessionId,
      visitorId: first.visitorId,
      attached: true,
    });
    refused(
      await open(a.tenantId, { credential, id: victim.visitorId }),
      401,
      'identity_invalid',
      victim.session.sessionId,
    );
    refused(await open(b.tenantId, { credential }), 401, 'identity_invalid', first.sessionId);
    expect(errorBody.parse((await open(b.tenantId, { credential })).body).error.message).toMatch(
      /another tenant/,
    );
    refused(
      await open(a.tenantId, { credential: victim.session.visitorToken }),
      401,
      'identity_invalid',
      victim.session.sessionId,
    );
    const expired = issueVisitorCredential(
      testSecret,
      { tenantId: a.tenantId, visitorId: first.visitorId },
      60,
      Date.now() - 3_600_000,
    ).token;
    refused(await open(a.tenantId, { credential: expired }), 401, 'identity_invalid');
    // The engine's credential never passes as an id of the merchant's either.
    refused(await open(a.tenantId, { id: first.visitorId }), 401, 'identity_unverified');

    const strict = await api('PUT', '/api/v1/identity', {
      token: a.adminKey,
      body: { requireVerifiedIdentity: true },
    });
    expect(identitySettingsView.parse(strict.body).requireVerifiedIdentity).toBe(true);
    refused(await open(a.tenantId, { credential }), 403, 'identity_required', first.sessionId);
    refused(await open(a.tenantId), 403, 'identity_required');
    const verified = started(
      await open(a.tenantId, {
        id: victim.visitorId,
        hash: identityHash(a.secret, victim.visitorId),
      }),
    );
    expect(verified.sessionId).toBe(victim.session.sessionId);
  });

  it('when a shopper declares tags, then routing and auto tags ignore them; tags the merchant signs (or stored on the customer) route the session', async () => {
    const a = await shop({
      robot: { enabled: false },
      routing: {
        rules: [{ when: { anyTag: ['vip'] }, groupId: 'vip', priority: 5 }],
        defaultGroupId: 'default',
      },
    });
    for (const groupId of ['vip', 'default']) {
      expect(
        (await api('PUT', `/api/v1/groups/${groupId}`, { token: a.adminKey, body: {} })).status,
      ).toBeLessThan(300);
    }
    await api('POST', '/api/v1/tag-groups', {
      token: a.adminKey,
      body: { groupId: 'g', name: 'G' },
    });
    const autoTag = await api('POST', '/api/v1/tags', {
      token: a.adminKey,
      body: {
        tagId: 'vip-order',
        groupId: 'g',
        name: 'VIP order',
        target: 'session',
        kind: 'auto',
        rule: { visitorTags: ['vip'] },
      },
    });
    expect(autoTag.status).toBe(201);
    const projected = (sessionId: string) =>
      eventually(async () => {
        const answer = await api('GET', `/api/v1/sessions/${sessionId}`, { token: a.adminKey });
        const view = answer.status === 200 ? sessionView.parse(answer.body) : undefined;
        return view?.groupId ? view : undefined;
      });

    const declaredId = uniqueId('v');
    const declared = started(
      await open(a.tenantId, {
        id: declaredId,
        hash: identityHash(a.secret, declaredId),
        tags: ['vip'],
      }),
    );
    const anonymous = started(await open(a.tenantId, { name: 'VIP', tags: ['vip'] }));
    const signed = started(
      await open(a.tenantId, { token: jwt(a.secret, { sub: uniqueId('v'), tags: ['vip'] }) }),
    );
    for (const plain of [declared, anonymous]) {
      const view = await projected(plain.sessionId);
      expect([view.groupId, view.tags]).toEqual(['default', undefined]);
    }
    const vip = await projected(signed.sessionId);
    expect([vip.groupId, vip.tags]).toEqual(['vip', ['vip-order']]);
    // The signed tag is stored on the customer: the profile shows it.
    const profile = await api('GET', `/api/v1/customers/${signed.visitorId}`, {
      token: a.adminKey,
    });
    expect(customerProfileView.parse(profile.body).tags).toEqual(['vip']);

    // A tag the merchant's system stores on the customer routes their next session too.
    await api('POST', '/api/v1/tags', {
      token: a.adminKey,
      body: { tagId: 'vip', groupId: 'g', name: 'VIP', target: 'customer', kind: 'external' },
    });
    const tagged = await api('PUT', `/api/v1/customers/${declaredId}/tags/vip`, {
      token: a.adminKey,
    });
    expect(tagged.status).toBe(200);
    await engine.temporal.client.workflow.getHandle(declared.workflowId).terminate('ended');
    const next = started(
      await open(a.tenantId, { id: declaredId, hash: identityHash(a.secret, declaredId) }),
    );
    expect(next.sessionId).not.toBe(declared.sessionId);
    const stored = await projected(next.sessionId);
    expect([stored.groupId, stored.tags]).toEqual(['vip', ['vip-order']]);
  });
});

describe('the visitor socket', () => {
  it('when a socket presents a forged, expired, another kind of, or another tenant’s token, then it is refused; a valid token reads its own session only', async () => {
    const a = await shop();
    const b = await shop();
    const victim = await victimOf(a);
    const other = await victimOf(b);
    const claims = {
      tenantId: a.tenantId,
      sessionId: victim.session.sessionId,
      visitorId: victim.visitorId,
    };
    const refusedTokens: [string, string][] = [
      ['another engine’s secret', issueVisitorToken('x'.repeat(40), claims, 600).token],
      ['expired', issueVisitorToken(testSecret, claims, 60, Date.now() - 3_600_000).token],
      [
        'a visitor credential',
        issueVisitorCredential(
          testSecret,
          { tenantId: a.tenantId, visitorId: victim.visitorId },
          600,
        ).token,
      ],
      [
        'an agent token',
        issueAgentToken(testSecret, { tenantId: a.tenantId, agentId: 'ann', role: 'agent' }, 600)
          .token,
      ],
      ['an identity hash', identityHash(a.secret, victim.visitorId)],
      ['an identity JWT', jwt(a.secret, { sub: victim.visitorId })],
      ['a tampered payload', tamper(other.session.visitorToken, claims)],
    ];
    for (const [name, token] of refusedTokens) {
      const outcome = await connectVisitor(engine.app, token).then(
        (socket) => {
          socket.close();
          return 'connected';
        },
        (error: Error) => error.message,
      );
      expect([name, outcome]).toEqual([name, expect.stringMatching(/unauthorized/)]);
    }

    // Tenant B's shopper, with a valid token, reads and hears only their own session.
    const heard: ChatMessage[] = [];
    const victimHeard: ChatMessage[] = [];
    other.socket.on('message:new', (message) => heard.push(message));
    victim.socket.on('message:new', (message) => victimHeard.push(message));
    ok(
      await visitorSend(victim.socket, {
        kind: 'text',
        clientMsgId: uniqueId('c'),
        text: 'and my card ends 4242',
      }),
    );
    const page = ok(await visitorSync(other.socket, 0));
    expect(page.messages.every((m) => m.sessionId === other.session.sessionId)).toBe(true);
    expect(JSON.stringify(page)).not.toContain(victim.secret);
    const victimPage = ok(await visitorSync(victim.socket, 0));
    expect(victimPage.messages.some((m) => m.text === victim.secret)).toBe(true);
    // The victim's second message reached their own socket; the other shopper heard none of it.
    await waitFor(() => victimHeard.some((m) => m.text.includes('4242')));
    expect(heard.filter((m) => m.sessionId !== other.session.sessionId)).toEqual([]);
  });
});

/** A token of another session with its payload swapped for `claims`, signature kept. */
function tamper(token: string, claims: Record<string, string>): string {
  const [version, payload, signature] = token.split('.');
  const original = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as object;
  const swapped = Buffer.from(JSON.stringify({ ...original, ...claims })).toString('base64url');
  return `${version}.${swapped}.${signature}`;
}

describe('identity settings', () => {
  it('when an admin rotates and retires identity secrets, then no list shows a secret, the previous one verifies until retired, the current one cannot be retired, and other credentials may not touch them', async () => {
    const a = await shop();
    const visitorId = uniqueId('v');
    const hashWith = (secret: string) => ({ id: visitorId, hash: identityHash(secret, visitorId) });
    const second = rotatedSecret.parse(
      (await api('POST', '/api/v1/identity/secrets', { token: a.adminKey })).body,
    );
    const settings = await api('GET', '/api/v1/identity', { token: a.adminKey });
    const view = identitySettingsView.parse(settings.body);
    expect(view.secrets.map((s) => s.current)).toEqual([true, false]);
    expect(view.secrets[0]?.secretId).toBe(second.secretId);
    expect(JSON.stringify(settings.body)).not.toContain(a.secret);
    expect(JSON.stringify(settings.body)).not.toContain(second.secret);
    const previousId = view.secrets[1]?.secretId ?? '';

    started(await open(a.tenantId, hashWith(a.secret)));
    started(await open(a.tenantId, hashWith(second.secret)));
    const current = await api('DELETE', `/api/v1/identity/secrets/${second.secretId}`, {
      token: a.adminKey,
    });
    expect([current.status, errorBody.parse(current.body).error.code]).toEqual([
      409,
      'secret_current',
    ]);
    const retired = await api('DELETE', `/api/v1/identity/secrets/${previousId}`, {
      token: a.adminKey,
    });
    expect(retired.status).toBe(204);
    refused(await open(a.tenantId, hashWith(a.secret)), 401, 'identity_invalid');
    started(await open(a.tenantId, hashWith(second.secret)));

    const integration = await api('POST', '/api/v1/api-keys', {
      token: a.adminKey,
      body: { name: 'erp', role: 'integration' },
    });
    const integrationKey = (integration.body as { key: string }).key;
    for (const [method, path] of [
      ['GET', '/api/v1/identity'],
      ['POST', '/api/v1/identity/secrets'],
    ] as const) {
      expect((await api(method, path, { token: integrationKey })).status).toBe(403);
      expect((await api(method, path)).status).toBe(401);
    }
    // Another tenant's admin sees its own settings, none of A's secrets.
    const b = await shop();
    const theirs = await api('GET', '/api/v1/identity', { token: b.adminKey });
    expect(JSON.stringify(theirs.body)).not.toContain(second.secretId);
    const notTheirs = await api('DELETE', `/api/v1/identity/secrets/${second.secretId}`, {
      token: b.adminKey,
    });
    expect(notTheirs.status).toBe(404);
  });
});

describe('customer profiles for agents', () => {
  it('when an agent asks for a customer’s profile, then only customers they serve or have served are found; a supervisor finds any', async () => {
    const a = await shop();
    await api('PUT', '/api/v1/groups/sales', { token: a.adminKey, body: {} });
    const login = async (agentId: string, role: 'agent' | 'supervisor') => {
      await api('PUT', `/api/v1/agents/${agentId}`, {
        token: a.adminKey,
        body: { capacity: 2, groups: ['sales'], role, password: 'correct horse battery' },
      });
      const answer = await api('POST', '/api/v1/auth/agent-login', {
        body: { tenantId: a.tenantId, agentId, password: 'correct horse battery' },
      });
      return agentSession.parse(answer.body).token;
    };
    const [ann, bob, sue] = await Promise.all([
      login('ann', 'agent'),
      login('bob', 'agent'),
      login('sue', 'supervisor'),
    ]);
    const customer = started(
      await open(a.tenantId, {
        token: jwt(a.secret, { sub: uniqueId('v'), name: 'Lin', phone: '+86 138 0000 0000' }),
      }),
    );
    // As the worker projects an assignment to Ann, once it has projected the opening.
    await eventually(
      async () =>
        (await collections(engine.db).sessions.findOne({ _id: customer.sessionId })) ?? undefined,
    );
    await sessionStore(engine.db).project(a.tenantId, customer.sessionId, {
      phase: 'assigned',
      agentId: 'ann',
    });
    const path = `/api/v1/customers/${customer.visitorId}`;
    const byAnn = await api('GET', path, { token: ann });
    expect(customerProfileView.parse(byAnn.body)).toMatchObject({ name: 'Lin' });
    expect((await api('GET', path, { token: bob })).status).toBe(404);
    expect((await api('GET', path, { token: sue })).status).toBe(200);
    expect((await api('PATCH', path, { token: ann, body: { name: 'x' } })).status).toBe(403);
  });
});
