import { z } from 'zod';
import { createdWebhook, deliveryView, webhookView } from '../../api/views';
import { eventPage } from '../../api/routes/events';
import { verify } from '../../events/signature';
import { call, callOk, testOperatorToken } from '../support/api-client';
import { eventually, startTestEngine, until, type TestEngine } from '../support/engine';
import { newWorld, type World } from '../support/validation-world';
import { webhookReceiver } from '../support/webhook-receiver';
import { createdApiKey } from '../../api/views';
import { leases } from '../../events/lease';
import { eventFeed } from '../../events/feed';
import { webhookDelivery } from '../../events/webhook-delivery';
import { webhookStore } from '../../stores/webhooks';

/**
 * Webhook delivery against a real HTTP receiver on this machine, with the
 * retry schedule compressed: a first retry after 100 ms, at most 500 ms
 * apart, given up 8 s after the first attempt (in production: 10 s, 1 h,
 * 24 h). What holds for the day holds for the seconds.
 */

const windowMs = 8_000;
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({
    OPERATOR_TOKEN: testOperatorToken,
    EVENT_SETTLE_MS: 200,
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: true,
    WEBHOOK_RETRY_BASE_MS: 100,
    WEBHOOK_RETRY_MAX_MS: 500,
    WEBHOOK_RETRY_WINDOW_MS: windowMs,
    WEBHOOK_DISABLE_AFTER_FAILURES: 2,
    WEBHOOK_POLL_MS: 100,
    WEBHOOK_TIMEOUT_MS: 2_000,
  });
});
afterAll(async () => {
  await engine.close();
});

/** A webhook receiver: answers what `answer()` says, and keeps every request. */
const receiver = webhookReceiver;

async function subscribe(world: World, url: string, types: string[]) {
  const body = await callOk(engine.app, 'POST', '/api/v1/webhooks', {
    token: world.adminKey,
    body: { url, types },
  });
  return createdWebhook.parse(body);
}

async function statusChanges(world: World, statuses: string[]) {
  const agentId = await world.agent();
  for (const status of statuses) {
    await callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}/status`, {
      token: world.adminKey,
      body: { status },
    });
  }
}

/** The event ids of the tenant's feed, in order. */
async function feedIds(world: World, types: string): Promise<string[]> {
  const page = eventPage.parse(
    await callOk(engine.app, 'GET', `/api/v1/events?types=${types}&limit=200`, {
      token: world.adminKey,
    }),
  );
  return page.items.map((item) => item.id);
}

/** Consecutive repeats collapsed: a retried event counts once in the order. */
const collapsed = (ids: string[]) => ids.filter((id, i) => id !== ids[i - 1]);

describe('webhook delivery', () => {
  it('when the receiver answers 500 for a while and then 200, then every event arrives, in order, each id at least once, signed with the secret', async () => {
    const world = await newWorld(engine);
    const failUntil = Date.now() + 3_000;
    const hook = await receiver(() => (Date.now() < failUntil ? 500 : 200));
    try {
      const webhook = await subscribe(world, hook.url, ['agent.status_changed']);
      await statusChanges(world, ['online', 'away', 'online', 'offline', 'online', 'away']);
      const expected = await eventually(async () => {
        const ids = await feedIds(world, 'agent.status_changed');
        return ids.length === 6 ? ids : undefined;
      });
      await until(() => {
        const delivered = new Set(hook.received.filter((r) => r.status === 200).map((r) => r.id));
        return expected.every((id) => delivered.has(id)) ? true : undefined;
      }, 30_000);

      expect(hook.received.some((r) => r.status === 500)).toBe(true);
      expect(collapsed(hook.received.map((r) => r.id))).toEqual(expected);
      expect(new Set(hook.received.map((r) => r.id))).toEqual(new Set(expected));
      for (const request of hook.received) {
        expect(verify(webhook.secret, request.body, request.signature)).toBe(true);
        expect(verify('whsec_not-the-secret', request.body, request.signature)).toBe(false);
        // A body changed on the way fails too.
        expect(verify(webhook.secret, `${request.body} `, request.signature)).toBe(false);
      }

      const log = z.object({ items: z.array(deliveryView) }).parse(
        await callOk(engine.app, 'GET', `/api/v1/webhooks/${webhook.webhookId}/deliveries`, {
          token: world.adminKey,
        }),
      );
      expect(log.items.map((d) => d.status)).toEqual(Array(6).fill('delivered'));
      expect(log.items.every((d) => d.responseStatus === 200 && d.latencyMs !== undefined)).toBe(
        true,
      );
      // The first event waited out the receiver's outage: several attempts.
      expect(log.items.at(-1)?.attempts).toBeGreaterThan(1);
    } finally {
      await hook.close();
    }
  }, 60_000);

  it('when a receiver answers 500 for ten minutes on the production retry schedule, then 200, then every event arrives, in order, the first after the backoff’s seven attempts', async () => {
    const world = await newWorld(engine);
    const minutes = 60_000;
    // The clock the retries are scheduled by: ten minutes of outage pass in a few seconds.
    const start = Date.now();
    let now = start;
    const hook = await receiver(() => (now - start < 10 * minutes ? 500 : 200));
    try {
      // Off, so the engine's own delivery loop leaves it to this walk.
      const { webhookId } = createdWebhook.parse(
        await callOk(engine.app, 'POST', '/api/v1/webhooks', {
          token: world.adminKey,
          body: { url: hook.url, types: ['agent.status_changed'], active: false },
        }),
      );
      await statusChanges(world, ['online', 'away', 'online', 'offline']);
      const ids = await eventually(async () => {
        const found = await feedIds(world, 'agent.status_changed');
        return found.length === 4 ? found : undefined;
      });
      const webhooks = webhookStore(engine.db);
      const subscription = await webhooks.get(world.tenantId, webhookId);
      if (!subscription) throw new Error('the subscription is not stored');
      const delivery = webhookDelivery({
        webhooks,
        feed: eventFeed(engine.db, { settleMs: 200, retentionDays: 7 }),
        settings: {
          schedule: { baseMs: 10_000, maxMs: 60 * minutes, windowMs: 24 * 60 * minutes },
          timeoutMs: 2_000,
          allowPrivate: true,
          disableAfter: 3,
        },
        clock: () => new Date(now),
      });
      const lease = await leases(engine.db, 'outage-walk', { durationMs: 60_000 }).take(
        subscription,
      );
      if (!lease) throw new Error('no lease');
      for (let step = 0; step < 400; step++) {
        await delivery.serve(subscription, lease);
        if (hook.received.filter((r) => r.status === 200).length === ids.length) break;
        now += 5_000;
      }
      const delivered = hook.received.filter((r) => r.status === 200).map((r) => r.id);
      expect(delivered).toEqual(ids);
      // Only the head was tried while the receiver was down; the others waited their turn.
      const failed = hook.received.filter((r) => r.status === 500).map((r) => r.id);
      expect(new Set(failed)).toEqual(new Set([ids[0]]));
      // 0, 10, 30, 70, 150, 310 s failed; the attempt at 630 s, after the outage, went through.
      expect(failed).toHaveLength(6);
      const head = await webhooks.delivery(world.tenantId, webhookId, ids[0] ?? '');
      expect(head).toMatchObject({ status: 'delivered', attempts: 7 });
      for (const r of hook.received) {
        const secret = subscription.secret;
        expect(verify(secret, r.body, r.signature)).toBe(true);
      }
    } finally {
      await hook.close();
    }
  }, 60_000);

  it('when a delivered event is redelivered, then the receiver gets the same id again and the log counts the attempt', async () => {
    const world = await newWorld(engine);
    const hook = await receiver(() => 204);
    try {
      const webhook = await subscribe(world, hook.url, ['agent.status_changed']);
      await statusChanges(world, ['online']);
      const first = await until(() => hook.received[0]);
      const path = `/api/v1/webhooks/${webhook.webhookId}/deliveries/${first.id}/redeliver`;
      const queued = await call(engine.app, 'POST', path, { token: world.adminKey });
      expect(queued).toMatchObject({ status: 202, body: { redeliveryRequested: true } });
      await until(() => (hook.received.length >= 2 ? true : undefined));
      expect(hook.received.map((r) => r.id)).toEqual([first.id, first.id]);
      const log = z.object({ items: z.array(deliveryView) }).parse(
        await callOk(engine.app, 'GET', `/api/v1/webhooks/${webhook.webhookId}/deliveries`, {
          token: world.adminKey,
        }),
      );
      await eventually(async () => {
        const now = z.object({ items: z.array(deliveryView) }).parse(
          await callOk(engine.app, 'GET', `/api/v1/webhooks/${webhook.webhookId}/deliveries`, {
            token: world.adminKey,
          }),
        );
        return now.items[0]?.attempts === 2 && !now.items[0].redeliveryRequested ? true : undefined;
      });
      expect(log.items).toHaveLength(1);
      expect(
        await call(
          engine.app,
          'POST',
          `/api/v1/webhooks/${webhook.webhookId}/deliveries/evt_none/redeliver`,
          {
            token: world.adminKey,
          },
        ),
      ).toMatchObject({ status: 404 });
    } finally {
      await hook.close();
    }
  }, 60_000);

  it('when a receiver keeps failing past the retry window, then its deliveries are marked failed and the subscription is disabled with the reason; turned on again, it goes on with later events', async () => {
    const world = await newWorld(engine);
    let status = 500;
    const hook = await receiver(() => status);
    try {
      const webhook = await subscribe(world, hook.url, ['agent.status_changed']);
      await statusChanges(world, ['online', 'away', 'online']);
      const disabled = await eventually(async () => {
        const now = webhookView.parse(
          await callOk(engine.app, 'GET', `/api/v1/webhooks/${webhook.webhookId}`, {
            token: world.adminKey,
          }),
        );
        return now.active ? undefined : now;
      }, 4 * windowMs);
      expect(disabled.disabledReason).toMatch(/2 deliveries in a row failed.*HTTP 500/);
      const log = z.object({ items: z.array(deliveryView) }).parse(
        await callOk(engine.app, 'GET', `/api/v1/webhooks/${webhook.webhookId}/deliveries`, {
          token: world.adminKey,
        }),
      );
      expect(log.items.map((d) => [d.status, d.responseStatus])).toEqual([
        ['failed', 500],
        ['failed', 500],
      ]);
      expect(log.items.every((d) => d.attempts > 2)).toBe(true);

      // Disabled: the next event waits in the feed; turned on, it is delivered.
      status = 200;
      const [, , third] = await feedIds(world, 'agent.status_changed');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(hook.received.some((r) => r.id === third)).toBe(false);
      const resumed = webhookView.parse(
        await callOk(engine.app, 'PATCH', `/api/v1/webhooks/${webhook.webhookId}`, {
          token: world.adminKey,
          body: { active: true },
        }),
      );
      expect(resumed).toMatchObject({ active: true, delivery: { failedInARow: 0 } });
      expect(resumed.disabledReason).toBeUndefined();
      await until(
        () => (hook.received.some((r) => r.id === third && r.status === 200) ? true : undefined),
        15_000,
      );
    } finally {
      await hook.close();
    }
  }, 90_000);

  it('when a secret is rotated, then later deliveries verify with the new secret only', async () => {
    const world = await newWorld(engine);
    const hook = await receiver(() => 200);
    try {
      const webhook = await subscribe(world, hook.url, ['agent.status_changed']);
      const rotated = z.object({ secret: z.string() }).parse(
        await callOk(engine.app, 'POST', `/api/v1/webhooks/${webhook.webhookId}/rotate-secret`, {
          token: world.adminKey,
        }),
      );
      expect(rotated.secret).not.toBe(webhook.secret);
      await statusChanges(world, ['online']);
      const request = await until(() => hook.received[0]);
      expect(verify(rotated.secret, request.body, request.signature)).toBe(true);
      expect(verify(webhook.secret, request.body, request.signature)).toBe(false);
      // The secret is shown only in the create and rotate answers.
      const read = await callOk(engine.app, 'GET', `/api/v1/webhooks/${webhook.webhookId}`, {
        token: world.adminKey,
      });
      expect(JSON.stringify(read)).not.toContain(rotated.secret);
    } finally {
      await hook.close();
    }
  }, 60_000);

  it('when tenant A names tenant B’s webhook, its deliveries or events, then nothing of B is visible or changed', async () => {
    const a = await newWorld(engine);
    const b = await newWorld(engine);
    const hook = await receiver(() => 200);
    try {
      const bHook = await subscribe(b, hook.url, ['agent.status_changed']);
      await statusChanges(b, ['online']);
      const delivered = await until(() => hook.received[0]);
      const base = `/api/v1/webhooks/${bHook.webhookId}`;
      const as = { token: a.adminKey };
      expect(await callOk(engine.app, 'GET', '/api/v1/webhooks', as)).toEqual({ items: [] });
      for (const [method, path, body] of [
        ['GET', base, undefined],
        ['PATCH', base, { active: false }],
        ['DELETE', base, undefined],
        ['POST', `${base}/rotate-secret`, undefined],
        ['GET', `${base}/deliveries`, undefined],
        ['POST', `${base}/deliveries/${delivered.id}/redeliver`, undefined],
      ] as const) {
        expect({
          method,
          path,
          ...(await call(engine.app, method, path, { ...as, body })),
        }).toMatchObject({
          status: 404,
        });
      }
      const aKey = createdApiKey.parse(
        await callOk(engine.app, 'POST', '/api/v1/api-keys', {
          ...as,
          body: { name: 'erp', role: 'integration' },
        }),
      ).key;
      const aFeed = eventPage.parse(
        await callOk(engine.app, 'GET', '/api/v1/events?limit=200', { token: aKey }),
      );
      expect(aFeed.items.some((item) => item.id === delivered.id)).toBe(false);
      // B's subscription is as it was, and still delivers.
      expect(
        webhookView.parse(await callOk(engine.app, 'GET', base, { token: b.adminKey })),
      ).toMatchObject({ active: true, url: hook.url });
    } finally {
      await hook.close();
    }
  }, 60_000);

  it('when two workers race for a subscription’s lease, then exactly one holds it until it expires, then the other can take it', async () => {
    const subscription = { _id: `tenant-x:wh_${Date.now()}`, tenantId: 'tenant-x' };
    const first = leases(engine.db, 'worker-a', { durationMs: 1_500 });
    const second = leases(engine.db, 'worker-b', { durationMs: 1_500 });
    const now = new Date();
    const taken = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).take(subscription, now)),
    );
    const holders = taken.filter((lease) => lease !== undefined);
    expect(new Set(holders.map((lease) => lease.epoch)).size).toBe(1);
    const later = new Date(now.getTime() + 2_000);
    const [a, b] = await Promise.all([
      first.take(subscription, later),
      second.take(subscription, later),
    ]);
    expect([a, b].filter((lease) => lease !== undefined)).toHaveLength(1);
  });
});
