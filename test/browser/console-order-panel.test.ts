import type { Browser, Page } from 'playwright-core';
import { startedSession } from '../../api/openapi';
import { agentSession, createdTenantHook, ticketView } from '../../api/views';
import { collections } from '../../stores/collections';
import { messageKey } from '../../stores/message-docs';
import { call } from '../support/api-client';
import { launchChromium, screenshotPath } from '../support/browser';
import {
  asAdmin,
  consoleTenant,
  staffPassword,
  type ConsoleTenant,
} from '../support/console-tenant';
import { startTestEngine, type TestEngine } from '../support/engine';
import { identityToken } from '../support/identity';
import { orderSystem, sampleOrders } from '../support/order-system';
import { uniqueId } from '../support/stack';
import { expectUi } from './expect-ui';
import { goOnline, logIn } from './pages';
import { seedSession } from './shoppers';

/**
 * The customer panel's order details, filled from a local stand-in of the
 * shop's order system, the customer's given name and attributes, an
 * earlier chat read-only, a ticket made from the chat, and the tickets tab
 * assigning and resolving it — in Chromium, with screenshots.
 */

let engine: TestEngine;
let browser: Browser;
const systems: { close: () => Promise<void> }[] = [];
beforeAll(async () => {
  [engine, browser] = await Promise.all([
    startTestEngine({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: true }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await Promise.all(systems.map((s) => s.close()));
  await browser?.close();
  await engine?.close();
});

/** A shop whose order lookup hook points at a stand-in answering as `delayMs` says. */
async function shop(options: { timeoutMs?: number; delayMs?: number } = {}) {
  const lin = uniqueId('lin');
  const sue = uniqueId('sue');
  const tenant = await consoleTenant(engine, {
    reserve: false,
    staff: [
      { agentId: lin, role: 'agent', capacity: 3 },
      { agentId: sue, role: 'supervisor', capacity: 1 },
    ],
  });
  const system = await orderSystem((request) => ({
    body: sampleOrders(request.entry.ref ?? 'none', system.pictureUrl),
    ...(options.delayMs ? { delayMs: options.delayMs } : {}),
  }));
  systems.push(system);
  const hook = createdTenantHook.parse(
    await asAdmin(engine, tenant, 'PUT', '/api/v1/order-lookup-hook', {
      url: system.url,
      timeoutMs: options.timeoutMs ?? 2_000,
    }),
  );
  system.trust(hook.secret);
  return { tenant, lin, sue, system };
}

/**
 * A shopper the shop knows (signed identity with attributes) who typed
 * their name, opening chat from an order page and asking for a person.
 */
async function orderShopper(tenant: ConsoleTenant, visitorId: string) {
  const opened = await call(engine.app, 'POST', '/api/v1/sessions', {
    body: {
      tenantId: tenant.tenantId,
      visitor: {
        token: identityToken(tenant.tenantId, {
          sub: visitorId,
          attributes: { plan: 'gold', orders: 7 },
        }),
        name: 'Lin Mei',
      },
      channel: 'web',
      entry: { type: 'order', ref: 'ord-2024-0042' },
    },
  });
  const session = startedSession.parse(opened.body);
  const human = await call(engine.app, 'POST', `/api/v1/sessions/${session.sessionId}/human`, {
    token: session.visitorToken,
  });
  if (human.status !== 200) throw new Error(`human: ${JSON.stringify(human.body)}`);
  return session;
}

/** The agent's own token, as the console gets it at login. */
async function agentToken(tenantId: string, agentId: string): Promise<string> {
  const answer = await call(engine.app, 'POST', '/api/v1/auth/agent-login', {
    body: { tenantId, agentId, password: staffPassword },
  });
  return agentSession.parse(answer.body).token;
}

async function openAssignedChat(console: Page): Promise<void> {
  const line = console.locator('#active li[data-phase="assigned"]');
  await expectUi(line).toHaveCount(1);
  await line.click();
  await expectUi(console.locator('#chat')).toBeVisible();
}

describe('the customer panel’s order details and tickets, in Chromium', () => {
  it('when the agent opens a chat from an order, then the panel shows the order lines from the shop’s system, the given name and attributes, an earlier chat read-only, and a ticket made from the chat is assigned and resolved in the tickets tab', async () => {
    const { tenant, lin, sue, system } = await shop();
    const visitorId = uniqueId('v');
    // Yesterday's chat of the same customer, with a colleague.
    const earlier = await seedSession(engine, tenant.tenantId, {
      visitorId,
      agentId: uniqueId('mei'),
      ago: 26 * 60 * 60 * 1000,
      entry: { type: 'order', ref: 'ord-2024-0042' },
    });
    await collections(engine.db).messages.insertOne({
      _id: messageKey(tenant.tenantId, earlier, 1),
      tenantId: tenant.tenantId,
      sessionId: earlier,
      seq: 1,
      messageId: 'v:earlier-1',
      kind: 'text',
      sender: { type: 'visitor', id: visitorId },
      text: 'Has my mug shipped yet?',
      visitorCount: 1,
      createdAt: new Date(Date.now() - 26 * 60 * 60 * 1000),
    });
    const agent = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    try {
      const console = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      await goOnline(console);
      const chat = await orderShopper(tenant, visitorId);
      await openAssignedChat(console);

      const panel = console.locator('#customer');
      await expectUi(panel.locator('#cp-name')).toHaveText('Lin Mei (given by the customer)');
      await expectUi(panel.locator('#cp-attributes dd[data-attribute="plan"]')).toHaveText('gold');
      const orders = panel.locator('#op');
      await expectUi(orders).toBeVisible();
      await expectUi(orders.locator('.order[data-order-ref="ord-2024-0042"]')).toHaveCount(1);
      await expectUi(orders.locator('.order-line .order-line__title')).toHaveTexts([
        'Blue ceramic mug',
        'Green tea, 100 g',
      ]);
      await expectUi(
        orders.locator('.order-line[data-sku="MUG-01"] .order-line__price'),
      ).toHaveText('2 × €12.50');
      await expectUi(
        orders.locator('.order-line[data-sku="TEA-07"] a.order-line__tracking'),
      ).toHaveText('DHL Tracking JD0142');
      // The picture the shop's system names is shown (the stand-in serves it).
      await console.waitForFunction(() => {
        const picture = document.querySelector<HTMLImageElement>(
          '.order-line[data-sku="TEA-07"] img',
        );
        return picture?.complete && picture.naturalWidth > 0;
      });
      expect(system.calls[0]?.signed).toBe(true);
      expect(system.calls[0]?.request.customer.id).toBe(visitorId);
      await console.screenshot({ path: await screenshotPath('console-order-panel') });

      // The earlier chat, read-only.
      await panel.locator(`#cp-history li[data-session-id="${earlier}"] .history__read`).click();
      const dialog = console.locator('#earlier-dialog');
      await expectUi(dialog).toBeVisible();
      await expectUi(dialog.locator('#ec-messages li')).toContainText('Has my mug shipped yet?');
      await expectUi(dialog.locator('textarea, input')).toHaveCount(0);
      await console.screenshot({ path: await screenshotPath('console-earlier-chat') });
      await dialog.locator('button[value=close]').click();
      await expectUi(dialog).toBeHidden();

      // A ticket from the chat, assigned to the agent who made it.
      await panel.locator('#tf summary').click();
      await panel.locator('#tf-form [name=content]').fill('Send a new mug: the first one broke');
      await panel.locator('#tf-form button[type=submit]').click();
      const made = panel.locator('#tf-form .form-ok');
      await expectUi(made).toContainText('made');
      await console.screenshot({ path: await screenshotPath('console-ticket-from-chat') });
      const ticketId = (await made.getAttribute('data-ticket-id')) ?? '';
      const stored = ticketView.parse(
        (await call(engine.app, 'GET', `/api/v1/tickets/${ticketId}`, { token: tenant.adminKey }))
          .body,
      );
      expect(stored).toMatchObject({
        sessionId: chat.sessionId,
        visitorId,
        source: 'chat',
        status: 'assigned',
        assigneeId: lin,
        contact: { name: 'Lin Mei', orderRef: 'ord-2024-0042' },
      });

      // Another ticket, unassigned: the supervisor assigns it to Lin from the tickets tab.
      const second = ticketView.parse(
        (
          await call(engine.app, 'POST', `/api/v1/sessions/${chat.sessionId}/tickets`, {
            token: await agentToken(tenant.tenantId, lin),
            body: { content: 'Check the refund of the broken mug' },
          })
        ).body,
      );
      const supervisor = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const desk = await logIn(supervisor, engine, '/console/', tenant.tenantId, sue);
        await desk.locator('#tab-tickets').click();
        const row = desk.locator(`#tickets tr[data-ticket-id="${second.ticketId}"]`);
        await expectUi(row.locator('.ticket-status')).toHaveText('open');
        await expectUi(row.locator('.ticket-assignee option')).toHaveCount(3);
        await row.locator('.ticket-assignee').selectOption(lin);
        await row.locator('.ticket-assign').click();
        await expectUi(row.locator('.ticket-status')).toHaveText(`assigned to ${lin}`);
        await desk.screenshot({ path: await screenshotPath('console-tickets-assign') });
      } finally {
        await supervisor.close();
      }

      // Lin resolves the first ticket with a note from the tickets tab.
      await console.locator('#tab-tickets').click();
      const mine = console.locator(`#tickets tr[data-ticket-id="${ticketId}"]`);
      await expectUi(mine.locator('.ticket-source')).toHaveText('from a chat');
      await mine.locator('.ticket-resolution').fill('New mug sent, tracking JD0999');
      await mine.locator('.ticket-resolve').click();
      await expectUi(mine).toHaveCount(0);
      const resolved = ticketView.parse(
        (await call(engine.app, 'GET', `/api/v1/tickets/${ticketId}`, { token: tenant.adminKey }))
          .body,
      );
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolution: 'New mug sent, tracking JD0999',
      });
    } finally {
      await agent.close();
    }
  });

  it('when the shop’s order system does not answer in time, then the panel says the order details are unavailable and why', async () => {
    const { tenant, lin } = await shop({ timeoutMs: 500, delayMs: 3_000 });
    const agent = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    try {
      const console = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      await goOnline(console);
      await orderShopper(tenant, uniqueId('v'));
      await openAssignedChat(console);
      const orders = console.locator('#op');
      await expectUi(
        console.locator('#op[data-state="unavailable"][data-reason="timeout"]'),
      ).toBeVisible();
      await expectUi(orders.locator('#op-status')).toHaveText(
        'Order details unavailable: the shop’s order system did not answer in time',
      );
      await expectUi(orders.locator('#op-refresh')).toBeVisible();
      await console.screenshot({ path: await screenshotPath('console-order-unavailable') });
    } finally {
      await agent.close();
    }
  });
});
