import { agentSession, closedAccountView } from '../../api/views';
import { collections } from '../../stores/collections';
import { call, operatorTenant, testOperatorToken, useManualPresence } from '../support/api-client';
import { connectAgent, openAssigned, waitFor, type AgentSocket } from '../support/chat';
import { installIdentitySecret } from '../support/identity';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';

/**
 * Revocation across gateway nodes: the engine's own API node plus two
 * gateway processes, sharing MongoDB, Redis and Temporal. The admin acts on
 * the engine's node; the agent is connected to the other two.
 */
let engine: TestEngine;
let a: GatewayProcess;
let b: GatewayProcess;
const sockets: AgentSocket[] = [];

beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
  [a, b] = await Promise.all([
    startGatewayProcess(engine.config),
    startGatewayProcess(engine.config),
  ]);
}, 180_000);
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await engine?.close();
}, 60_000);

const password = 'correct horse battery';

async function get(url: string, path: string, token: string): Promise<number> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

it('when an agent connected on two gateway nodes is deleted on a third, then it loses both sockets and every route on every node within a second, and its session is queued again', async () => {
  const { tenantId, adminKey } = await operatorTenant(engine.app, {
    flow: { robot: { enabled: false }, routing: { defaultGroupId: 'sales' } },
  });
  await installIdentitySecret(engine.db, tenantId);
  await useManualPresence(engine.app, adminKey);
  const admin = (method: string, path: string, body?: unknown) =>
    call(engine.app, method, path, { token: adminKey, ...(body !== undefined ? { body } : {}) });
  expect((await admin('PUT', '/api/v1/groups/sales', {})).status).toBe(200);
  expect(
    (await admin('PUT', '/api/v1/agents/ann', { capacity: 3, groups: ['sales'], password })).status,
  ).toBe(200);
  const login = await fetch(`${a.url}/api/v1/auth/agent-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId, agentId: 'ann', password }),
  });
  const { token } = agentSession.parse(await login.json());
  const status = await fetch(`${b.url}/api/v1/agents/ann/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ status: 'online' }),
  });
  expect(status.status).toBe(200);
  const session = await openAssigned(engine, tenantId);

  const onA = await connectAgent(a.url, token);
  const onB = await connectAgent(b.url, token);
  sockets.push(onA, onB);
  const lost: Record<string, number> = {};
  onA.on('disconnect', () => (lost.a = Date.now()));
  onB.on('disconnect', () => (lost.b = Date.now()));
  const reasons: string[] = [];
  onA.on('access:revoked', ({ reason }) => reasons.push(reason));
  onB.on('access:revoked', ({ reason }) => reasons.push(reason));

  // Every node has just read the account as valid: only the revocation's own news can undo that.
  const routes = [
    [a.url, '/api/v1/agents/ann'],
    [b.url, '/api/v1/agents/ann'],
    [engine.app.url, '/api/v1/agents/ann'],
    [a.url, `/api/v1/sessions/${session.sessionId}/messages`],
    [b.url, `/api/v1/sessions/${session.sessionId}/messages`],
  ] as const;
  for (const [url, path] of routes) expect(await get(url, path, token)).toBe(200);

  const startedAt = Date.now();
  const deleted = admin('DELETE', '/api/v1/agents/ann');
  await waitFor(() => lost.a !== undefined && lost.b !== undefined, 5_000);
  // At the first try: each node heard the revocation before it cut its sockets (one Redis
  // connection publishes both, in order), whatever it had cached a moment ago.
  for (const [url, path] of routes)
    expect([url, path, await get(url, path, token)]).toEqual([url, path, 401]);
  const refusedAt = Date.now();
  await expect(connectAgent(a.url, token)).rejects.toThrow(/unauthorized/);
  await expect(connectAgent(b.url, token)).rejects.toThrow(/unauthorized/);
  const lastRefusal = Math.max(lost.a ?? Infinity, lost.b ?? Infinity, refusedAt);
  expect(lastRefusal - startedAt).toBeLessThan(1_000);
  expect(reasons).toEqual(['deleted', 'deleted']);

  const answer = await deleted;
  expect(answer.status).toBe(200);
  expect(closedAccountView.parse(answer.body).sessions.requeued).toEqual([session.sessionId]);
  await eventually(async () => {
    const doc = await collections(engine.db).sessions.findOne({ _id: session.sessionId, tenantId });
    return doc?.phase === 'queued' && doc.agentId === undefined ? true : undefined;
  });
}, 60_000);
