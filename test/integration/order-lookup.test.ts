import { z } from 'zod';
import { createdTenantHook, orderContextView } from '../../api/views';
import { apiKeyStore } from '../../stores/api-keys';
import { collections } from '../../stores/collections';
import { call, callOk, operatorTenant, testOperatorToken } from '../support/api-client';
import { agentToken, desk, openAssigned } from '../support/chat';
import { startTestEngine, type TestEngine } from '../support/engine';
import { orderSystem, sampleOrders, type OrderSystemAnswer } from '../support/order-system';
import { uniqueId } from '../support/stack';
import type { OrderLookupRequest } from '../../domain/order-lookup';

/**
 * The order lookup hook against a local stand-in of the merchant's order
 * system, which verifies the engine's signature as the docs tell merchants
 * to. The engine lets hooks reach 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE_ADDRESSES).
 */

let engine: TestEngine;
const systems: { close: () => Promise<void> }[] = [];
beforeAll(async () => {
  engine = await startTestEngine({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: true });
});
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await engine.close();
});

/**
 * A tenant whose sessions go straight to its one online agent, with an
 * order lookup hook pointing at a stand-in that answers as `answer` says,
 * and a chat assigned to that agent.
 */
async function shopWithHook(
  answer: (request: OrderLookupRequest) => OrderSystemAnswer,
  timeoutMs = 1_000,
) {
  const agentId = uniqueId('ann');
  const tenantId = await desk(engine, [agentId]);
  const adminKey = (await apiKeyStore(engine.db).create(tenantId, 'test', 'admin')).key;
  const system = await orderSystem(answer);
  systems.push(system);
  const created = createdTenantHook.parse(
    await callOk(engine.app, 'PUT', '/api/v1/order-lookup-hook', {
      token: adminKey,
      body: { url: system.url, timeoutMs },
    }),
  );
  system.trust(created.secret);
  const chat = await openAssigned(engine, tenantId);
  return { tenantId, adminKey, agentId, system, chat, token: agentToken(tenantId, agentId) };
}

async function orderContext(sessionId: string, token: string, query = '') {
  return call(engine.app, 'GET', `/api/v1/sessions/${sessionId}/order-context${query}`, { token });
}

describe('the order lookup hook', () => {
  it('when the agent opens a chat, then the order system gets a signed request with the entry and customer, and its order lines come back', async () => {
    const { system, chat, token, tenantId } = await shopWithHook((request) => ({
      body: sampleOrders(request.entry.ref ?? 'none'),
    }));
    const answer = await orderContext(chat.sessionId, token);
    expect(answer.status).toBe(200);
    const context = orderContextView.parse(answer.body);
    expect(context).toMatchObject({ status: 'available', cached: false });
    if (context.status !== 'available') throw new Error('unreachable');
    expect(context.orders[0]?.ref).toBe('o-1');
    expect(context.orders[0]?.lines.map((l) => [l.sku, l.quantity, l.price, l.currency])).toEqual([
      ['MUG-01', 2, 12.5, 'EUR'],
      ['TEA-07', 1, 8, 'EUR'],
    ]);
    expect(context.orders[0]?.lines[1]?.tracking).toEqual({
      carrier: 'DHL',
      number: 'JD0142',
      url: 'https://track.example.com/JD0142',
    });
    expect(system.calls).toHaveLength(1);
    expect(system.calls[0]?.signed).toBe(true);
    expect(system.calls[0]?.request).toMatchObject({
      type: 'order.lookup',
      tenantId,
      sessionId: chat.sessionId,
      entry: { type: 'order', ref: 'o-1' },
      customer: { id: chat.visitorId, identity: 'verified' },
    });
  });

  it('when the panel asks again within the cache window, then the order system is not called again; refresh asks it again', async () => {
    const { system, chat, token } = await shopWithHook(() => ({ body: sampleOrders('o-1') }));
    expect(orderContextView.parse((await orderContext(chat.sessionId, token)).body)).toMatchObject({
      status: 'available',
      cached: false,
    });
    const again = orderContextView.parse((await orderContext(chat.sessionId, token)).body);
    expect(again).toMatchObject({ status: 'available', cached: true });
    expect(system.calls).toHaveLength(1);
    const refreshed = orderContextView.parse(
      (await orderContext(chat.sessionId, token, '?refresh=true')).body,
    );
    expect(refreshed).toMatchObject({ status: 'available', cached: false });
    expect(system.calls).toHaveLength(2);
  });

  it('when the order system answers after the hook’s deadline, then the panel gets 200 unavailable with reason timeout, and nothing is cached', async () => {
    const { system, chat, token } = await shopWithHook(
      () => ({ body: sampleOrders('o-1'), delayMs: 1_500 }),
      500,
    );
    const started = Date.now();
    const answer = await orderContext(chat.sessionId, token);
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(answer.status).toBe(200);
    expect(orderContextView.parse(answer.body)).toMatchObject({
      status: 'unavailable',
      reason: 'timeout',
    });
    await orderContext(chat.sessionId, token);
    expect(system.calls).toHaveLength(2);
  });

  it('when the order system answers a wrong shape, a non-2xx or not JSON, then the panel gets unavailable with the reason and the field', async () => {
    let next: OrderSystemAnswer = { body: {} };
    const { chat, token } = await shopWithHook(() => next);
    const bad = sampleOrders('o-1');
    const line = bad.orders[0]?.lines[0];
    if (line) line.currency = 'euro';
    next = { body: bad };
    const wrong = orderContextView.parse(
      (await orderContext(chat.sessionId, token, '?refresh=true')).body,
    );
    expect(wrong).toMatchObject({ status: 'unavailable', reason: 'invalid_answer' });
    expect(wrong.status === 'unavailable' && wrong.message).toContain('orders.0.lines.0.currency');
    next = { status: 503, body: { error: 'down' } };
    expect(
      orderContextView.parse((await orderContext(chat.sessionId, token, '?refresh=true')).body),
    ).toMatchObject({ status: 'unavailable', reason: 'http_error' });
    next = { body: 'not json' };
    expect(
      orderContextView.parse((await orderContext(chat.sessionId, token, '?refresh=true')).body),
    ).toMatchObject({ status: 'unavailable', reason: 'invalid_answer' });
  });

  it('when another tenant’s staff asks for the session, then 404; an agent of the tenant who does not hold it gets 403; a tenant without a hook gets not_configured', async () => {
    const { chat, tenantId } = await shopWithHook(() => ({ body: sampleOrders('o-1') }));
    const other = await desk(engine, [uniqueId('bob')]);
    for (const role of ['agent', 'supervisor'] as const) {
      const answer = await orderContext(chat.sessionId, agentToken(other, 'bob', role));
      expect(answer.status).toBe(404);
    }
    const stranger = await orderContext(chat.sessionId, agentToken(tenantId, 'carol'));
    expect(stranger.status).toBe(403);
    const supervisor = await orderContext(
      chat.sessionId,
      agentToken(tenantId, 'sue', 'supervisor'),
    );
    expect(orderContextView.parse(supervisor.body).status).toBe('available');

    const plain = await desk(engine, ['dan']);
    const unhooked = await openAssigned(engine, plain);
    expect(
      z
        .object({ status: z.string() })
        .parse((await orderContext(unhooked.sessionId, agentToken(plain, 'dan'))).body),
    ).toEqual({ status: 'not_configured' });
  });
});

describe('the order lookup hook: configuration, with the production address policy', () => {
  let strict: TestEngine;
  beforeAll(async () => {
    strict = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('when the URL is private, local or not http(s), or the deadline is out of range, then 400 names the field and nothing is written; tenant B never sees tenant A’s hook', async () => {
    const a = await operatorTenant(strict.app);
    const put = (body: unknown) =>
      call(strict.app, 'PUT', '/api/v1/order-lookup-hook', { token: a.adminKey, body });
    const cases: [unknown, string][] = [
      [{ url: 'ftp://orders.example.com/' }, 'url'],
      [{ url: 'http://127.0.0.1:8080/orders' }, 'url'],
      [{ url: 'http://10.1.2.3/orders' }, 'url'],
      [{ url: 'http://169.254.169.254/latest' }, 'url'],
      [{ url: 'http://localhost/orders' }, 'url'],
      [{ url: 'https://orders.example.com/', timeoutMs: 499 }, 'timeoutMs'],
      [{ url: 'https://orders.example.com/', timeoutMs: 10_001 }, 'timeoutMs'],
      [{ url: 'https://orders.example.com/', secret: 'mine' }, 'secret'],
    ];
    const problems: string[] = [];
    for (const [body, field] of cases) {
      const answer = await put(body);
      const error = z
        .object({ error: z.object({ fields: z.array(z.object({ path: z.string() })) }) })
        .safeParse(answer.body).data?.error;
      if (answer.status !== 400 || !error?.fields.some((f) => f.path === field)) {
        problems.push(`${JSON.stringify(body)}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await collections(strict.db).orderLookupHooks.countDocuments({})).toBe(0);

    const created = createdTenantHook.parse(
      await callOk(strict.app, 'PUT', '/api/v1/order-lookup-hook', {
        token: a.adminKey,
        body: { url: 'https://orders.example.com/a' },
      }),
    );
    expect(created.timeoutMs).toBe(2_000);
    const read = await callOk(strict.app, 'GET', '/api/v1/order-lookup-hook', {
      token: a.adminKey,
    });
    expect(read).not.toHaveProperty('secret');
    const b = await operatorTenant(strict.app);
    for (const [method, path] of [
      ['GET', '/api/v1/order-lookup-hook'],
      ['POST', '/api/v1/order-lookup-hook/rotate-secret'],
      ['DELETE', '/api/v1/order-lookup-hook'],
    ] as const) {
      expect((await call(strict.app, method, path, { token: b.adminKey })).status).toBe(404);
    }
    expect(
      await collections(strict.db).orderLookupHooks.findOne({ _id: a.tenantId }),
    ).toMatchObject({ url: 'https://orders.example.com/a', secret: created.secret });
  });

  it('when a stored hook names a private address, then the lookup is refused before connecting: unavailable with reason refused', async () => {
    const agentId = uniqueId('ann');
    const tenantId = await desk(strict, [agentId]);
    const system = await orderSystem(() => ({ body: sampleOrders('o-1') }));
    systems.push(system);
    // Saved before the policy applied to it (the route would refuse it now).
    await collections(strict.db).orderLookupHooks.insertOne({
      _id: tenantId,
      tenantId,
      url: system.url,
      timeoutMs: 1_000,
      active: true,
      secret: 'whsec_test',
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const chat = await openAssigned(strict, tenantId);
    const answer = await call(
      strict.app,
      'GET',
      `/api/v1/sessions/${chat.sessionId}/order-context`,
      { token: agentToken(tenantId, agentId) },
    );
    expect(answer.status).toBe(200);
    expect(orderContextView.parse(answer.body)).toMatchObject({
      status: 'unavailable',
      reason: 'refused',
    });
    expect(system.calls).toHaveLength(0);
  });
});
