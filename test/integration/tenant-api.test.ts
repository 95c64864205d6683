import { agentSession, createdApiKey } from '../../api/views';
import { errorBody } from '../../api/openapi';
import { collections } from '../../stores/collections';
import { call, operatorTenant, testOperatorToken } from '../support/api-client';
import { startTestEngine, type TestEngine } from '../support/engine';

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

/** A tenant made through the operator route, with its admin key. */
const newTenant = () => operatorTenant(engine.app);

const errorCode = (answer: { body: unknown }) => errorBody.parse(answer.body).error.code;
const fields = (answer: { body: unknown }) =>
  (errorBody.parse(answer.body).error.fields ?? []).map((f) => f.path);

describe('auth', () => {
  it('when the operator creates a tenant, then its admin key works once shown and is stored only hashed', async () => {
    const { tenantId, adminKey } = await newTenant();
    expect((await api('GET', '/api/v1/api-keys', { token: adminKey })).status).toBe(200);
    const stored = await collections(engine.db).apiKeys.find({ tenantId }).toArray();
    expect(stored).toHaveLength(1);
    // The secret is everything after `rek_<keyId>_` (base64url, so it may hold `_` itself).
    const secret = adminKey.slice('rek_'.length + 16 + 1);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(stored)).not.toContain(secret);
    const again = await api('POST', '/api/v1/tenants', {
      token: operatorToken,
      body: { tenantId, name: 'Other' },
    });
    expect(again.status).toBe(409);
  });

  it('when a tenant route is called without a credential, with a bad one, or by the wrong role, then 401 or 403', async () => {
    const { adminKey } = await newTenant();
    expect((await api('GET', '/api/v1/groups')).status).toBe(401);
    expect((await api('GET', '/api/v1/groups', { token: 'rek_nonsense' })).status).toBe(401);
    expect((await api('GET', '/api/v1/groups', { token: 'v1.abc.def' })).status).toBe(401);
    expect(
      (await api('GET', '/api/v1/groups', { headers: { authorization: 'Basic abc' } })).status,
    ).toBe(401);
    const integration = createdApiKey.parse(
      (
        await api('POST', '/api/v1/api-keys', {
          token: adminKey,
          body: { name: 'erp', role: 'integration' },
        })
      ).body,
    );
    const forbidden = await api('PUT', '/api/v1/groups/g1', { token: integration.key, body: {} });
    expect(forbidden.status).toBe(403);
    expect(errorCode(forbidden)).toBe('forbidden');
    expect((await api('GET', '/api/v1/groups', { token: operatorToken })).status).toBe(403);
    expect(
      (
        await api('POST', '/api/v1/tenants', {
          token: adminKey,
          body: { tenantId: 'x', name: 'x' },
        })
      ).status,
    ).toBe(403);
  });

  it('when an API key is revoked, then it stops working at once', async () => {
    const { adminKey } = await newTenant();
    const second = createdApiKey.parse(
      (
        await api('POST', '/api/v1/api-keys', {
          token: adminKey,
          body: { name: 'ci', role: 'admin' },
        })
      ).body,
    );
    expect((await api('GET', '/api/v1/groups', { token: second.key })).status).toBe(200);
    const revoked = await api('DELETE', `/api/v1/api-keys/${second.keyId}`, { token: adminKey });
    expect(revoked.status).toBe(200);
    expect((await api('GET', '/api/v1/groups', { token: second.key })).status).toBe(401);
    expect(
      (await api('DELETE', '/api/v1/api-keys/0123456789abcdef', { token: adminKey })).status,
    ).toBe(404);
  });

  it('when an agent logs in with the password an admin set, then the token answers agent routes and the role limits it', async () => {
    const { tenantId, adminKey } = await newTenant();
    expect((await api('PUT', '/api/v1/groups/sales', { token: adminKey, body: {} })).status).toBe(
      200,
    );
    for (const [agentId, role] of [
      ['a1', 'agent'],
      ['a2', 'agent'],
      ['boss', 'supervisor'],
    ] as const) {
      const put = await api('PUT', `/api/v1/agents/${agentId}`, {
        token: adminKey,
        body: { capacity: 3, groups: ['sales'], role, password: 'correct horse battery' },
      });
      expect(put.status).toBe(200);
    }
    const staff = await collections(engine.db).staff.findOne({ tenantId, agentId: 'a1' });
    expect(staff?.passwordHash).toMatch(/^scrypt\$/);

    const wrong = await api('POST', '/api/v1/auth/agent-login', {
      body: { tenantId, agentId: 'a1', password: 'wrong password' },
    });
    expect(wrong.status).toBe(401);
    const unknown = await api('POST', '/api/v1/auth/agent-login', {
      body: { tenantId, agentId: 'nobody', password: 'correct horse battery' },
    });
    expect(unknown.status).toBe(401);
    expect(errorBody.parse(unknown.body).error.message).toBe(
      errorBody.parse(wrong.body).error.message,
    );

    const login = async (agentId: string) =>
      agentSession.parse(
        (
          await api('POST', '/api/v1/auth/agent-login', {
            body: { tenantId, agentId, password: 'correct horse battery' },
          })
        ).body,
      ).token;
    const a1 = await login('a1');
    const boss = await login('boss');

    const own = await api('PUT', '/api/v1/agents/a1/status', {
      token: a1,
      body: { status: 'online' },
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ agentId: 'a1', status: 'online', hasPassword: true });
    expect(
      (await api('PUT', '/api/v1/agents/a2/status', { token: a1, body: { status: 'online' } }))
        .status,
    ).toBe(403);
    const bySupervisor = await api('PUT', '/api/v1/agents/a2/status', {
      token: boss,
      body: { status: 'away' },
    });
    expect(bySupervisor.status).toBe(200);
    expect(bySupervisor.body).toMatchObject({ status: 'away' });
    expect((await api('GET', '/api/v1/agents', { token: a1 })).status).toBe(403);
    expect((await api('GET', '/api/v1/agents', { token: boss })).status).toBe(200);
    expect((await api('PUT', '/api/v1/groups/x', { token: boss, body: {} })).status).toBe(403);
  });
});

describe('groups and agents', () => {
  it('when a group and an agent are configured, then they read back and presence reaches routing', async () => {
    const { tenantId, adminKey } = await newTenant();
    await api('PUT', '/api/v1/groups/after-sale', { token: adminKey, body: {} });
    const group = await api('PUT', '/api/v1/groups/pre-sale', {
      token: adminKey,
      body: { strategy: 'round-robin', reserve: true, overflowGroupId: 'after-sale' },
    });
    expect(group.status).toBe(200);
    const listed = await api('GET', '/api/v1/groups', { token: adminKey });
    expect(listed.body).toEqual({
      items: [
        { groupId: 'after-sale', strategy: 'least-load', reserve: false },
        // Made with the tenant: its flow routes there.
        { groupId: 'default', strategy: 'least-load', reserve: false },
        {
          groupId: 'pre-sale',
          strategy: 'round-robin',
          reserve: true,
          overflowGroupId: 'after-sale',
        },
      ],
    });
    expect((await api('GET', '/api/v1/groups/pre-sale', { token: adminKey })).status).toBe(200);
    expect((await api('GET', '/api/v1/groups/missing', { token: adminKey })).status).toBe(404);

    const agent = await api('PUT', '/api/v1/agents/lin', {
      token: adminKey,
      body: { capacity: 2, groups: ['pre-sale'], name: 'Lin' },
    });
    expect(agent.body).toEqual({
      agentId: 'lin',
      name: 'Lin',
      role: 'agent',
      capacity: 2,
      groups: ['pre-sale'],
      status: 'offline',
      hasPassword: false,
      active: true,
    });
    await api('PUT', '/api/v1/agents/lin/status', { token: adminKey, body: { status: 'online' } });
    const doc = await collections(engine.db).agents.findOne({ tenantId, agentId: 'lin' });
    expect(doc?.status).toBe('online');
  });

  it('when group or agent input is bad, then 400 or 422 names the field and nothing is written', async () => {
    const { tenantId, adminKey } = await newTenant();
    const bad = await api('PUT', '/api/v1/groups/g1', {
      token: adminKey,
      body: { strategy: 'fastest', extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(expect.arrayContaining(['strategy', 'extra']));
    const badId = await api('PUT', '/api/v1/groups/bad%20id', { token: adminKey, body: {} });
    expect(badId.status).toBe(400);
    expect(fields(badId)).toEqual(['groupId']);
    const overflow = await api('PUT', '/api/v1/groups/g1', {
      token: adminKey,
      body: { overflowGroupId: 'nowhere' },
    });
    expect(overflow.status).toBe(422);
    expect(fields(overflow)).toEqual(['overflowGroupId']);
    const agent = await api('PUT', '/api/v1/agents/a1', {
      token: adminKey,
      body: { capacity: 2, groups: ['nowhere'], password: 'long enough password' },
    });
    expect(agent.status).toBe(422);
    expect(fields(agent)).toEqual(['groups.0']);
    const shortPassword = await api('PUT', '/api/v1/agents/a1', {
      token: adminKey,
      body: { capacity: 2, groups: ['g1'], password: 'short' },
    });
    expect(shortPassword.status).toBe(400);
    expect(fields(shortPassword)).toEqual(['password']);
    const status = await api('PUT', '/api/v1/agents/ghost/status', {
      token: adminKey,
      body: { status: 'online' },
    });
    expect(status.status).toBe(404);
    const { groups, agents, staff } = collections(engine.db);
    // Only the group the tenant's flow routes to, made with the tenant.
    expect(
      await groups
        .find({ tenantId })
        .map((g) => g.groupId)
        .toArray(),
    ).toEqual(['default']);
    expect(await agents.countDocuments({ tenantId })).toBe(0);
    expect(await staff.countDocuments({ tenantId })).toBe(0);
  });

  it('when the body is not JSON, then 400 invalid_json', async () => {
    const { adminKey } = await newTenant();
    const answer = await api('PUT', '/api/v1/groups/g1', { token: adminKey, body: '{nope' });
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('invalid_json');
  });
});
