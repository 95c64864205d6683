import { errorBody } from '../../api/openapi';
import { call, operatorTenant, testOperatorToken } from '../support/api-client';
import { startTestEngine, type TestEngine } from '../support/engine';

/**
 * Agent login throttling, with small limits so the tests stay short: three
 * failures per account, five per client address, in a ten-second window.
 * The engine believes X-Forwarded-For from loopback (TRUST_PROXY), so each
 * test plays clients at addresses of its own.
 */
const window = 10;
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({
    OPERATOR_TOKEN: testOperatorToken,
    LOGIN_FAILURES_PER_ACCOUNT: 3,
    LOGIN_FAILURES_PER_ADDRESS: 5,
    LOGIN_WINDOW_SECONDS: window,
    TRUST_PROXY: 'loopback',
  });
});
afterAll(async () => {
  await engine.close();
});

const password = 'correct horse battery';
let lastAddress = 0;
/** A client address of the test's own (TEST-NET-3). */
const newAddress = () => `203.0.113.${++lastAddress}`;

async function tenantWith(agents: string[]) {
  const { tenantId, adminKey } = await operatorTenant(engine.app);
  const admin = (method: string, path: string, body: unknown) =>
    call(engine.app, method, path, { token: adminKey, body });
  expect((await admin('PUT', '/api/v1/groups/sales', {})).status).toBe(200);
  for (const agentId of agents) {
    const put = await admin('PUT', `/api/v1/agents/${agentId}`, {
      capacity: 1,
      groups: ['sales'],
      password,
    });
    expect(put.status).toBe(200);
  }
  return tenantId;
}

/** One login attempt from `address`: status, error code and Retry-After. */
async function login(tenantId: string, agentId: string, secret: string, address: string) {
  const response = await fetch(`${engine.app.url}/api/v1/auth/agent-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ tenantId, agentId, password: secret }),
  });
  const body: unknown = await response.json();
  return {
    status: response.status,
    code: response.ok ? undefined : errorBody.parse(body).error.code,
    retryAfter: response.headers.get('retry-after'),
  };
}

const wrong = 'not the password';

it('when an account has failed to log in as often as its limit allows, then its next login is 429 too_many_attempts with Retry-After, even with the right password and from another address', async () => {
  const tenantId = await tenantWith(['ann']);
  const here = newAddress();
  for (let i = 0; i < 3; i++) {
    expect(await login(tenantId, 'ann', wrong, here)).toMatchObject({
      status: 401,
      code: 'unauthenticated',
      retryAfter: null,
    });
  }
  const locked = await login(tenantId, 'ann', password, here);
  expect(locked).toMatchObject({ status: 429, code: 'too_many_attempts' });
  expect(Number(locked.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(locked.retryAfter)).toBeLessThanOrEqual(window);
  expect(locked.retryAfter).toMatch(/^[0-9]+$/);
  expect((await login(tenantId, 'ann', password, newAddress())).status).toBe(429);
});

it('when a login succeeds, then the account’s failures are forgotten', async () => {
  const tenantId = await tenantWith(['bob']);
  const here = newAddress();
  for (let i = 0; i < 2; i++) expect((await login(tenantId, 'bob', wrong, here)).status).toBe(401);
  expect((await login(tenantId, 'bob', password, here)).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await login(tenantId, 'bob', wrong, here)).status).toBe(401);
  expect((await login(tenantId, 'bob', password, here)).status).toBe(200);
});

it('when one address has failed as often as its limit allows across accounts, then every login from it is 429, while other addresses still log in', async () => {
  const tenantId = await tenantWith(['cy', 'di', 'eve']);
  const guesser = newAddress();
  // Two accounts, under their own limit each, five failures from one address.
  for (const agentId of ['cy', 'cy', 'di', 'di', 'nobody']) {
    expect((await login(tenantId, agentId, wrong, guesser)).status).toBe(401);
  }
  const blocked = await login(tenantId, 'eve', password, guesser);
  expect(blocked).toMatchObject({ status: 429, code: 'too_many_attempts' });
  expect(Number(blocked.retryAfter)).toBeGreaterThanOrEqual(1);
  expect((await login(tenantId, 'eve', password, newAddress())).status).toBe(200);
  expect((await login(tenantId, 'cy', password, newAddress())).status).toBe(200);
});

it('when another tenant’s logins fail from the same address, then this tenant’s agents are not held back', async () => {
  const [mine, theirs] = await Promise.all([tenantWith(['fay']), tenantWith(['fay'])]);
  const shared = newAddress();
  for (const agentId of ['fay', 'fay', 'gil', 'gil', 'hal']) {
    expect((await login(theirs, agentId, wrong, shared)).status).toBe(401);
  }
  expect((await login(theirs, 'fay', password, shared)).status).toBe(429);
  expect((await login(mine, 'fay', password, shared)).status).toBe(200);
});

it('when the window has passed, then a locked account may log in again', async () => {
  const tenantId = await tenantWith(['gus']);
  const here = newAddress();
  for (let i = 0; i < 3; i++) expect((await login(tenantId, 'gus', wrong, here)).status).toBe(401);
  const locked = await login(tenantId, 'gus', password, here);
  expect(locked.status).toBe(429);
  await new Promise((resolve) => setTimeout(resolve, Number(locked.retryAfter) * 1000 + 200));
  expect((await login(tenantId, 'gus', password, here)).status).toBe(200);
}, 30_000);
