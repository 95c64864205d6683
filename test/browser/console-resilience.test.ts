import type { Browser } from 'playwright-core';
import { launchChromium, screenshotPath } from '../support/browser';
import { consoleTenant } from '../support/console-tenant';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { expectUi as expect } from './expect-ui';
import { goOnline, logIn, openShopChat, shopperSays } from './pages';

let engine: TestEngine;
let browser: Browser;
beforeAll(async () => {
  [engine, browser] = await Promise.all([startTestEngine(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await engine?.close();
});

describe('the consoles when things go wrong', () => {
  it('when the shop is closed, then the shopper leaves a message and the agent finds it under tickets', async () => {
    const lin = uniqueId('lin');
    const { tenantId } = await consoleTenant(engine, {
      reserve: false,
      closed: true,
      staff: [{ agentId: lin, role: 'agent', capacity: 2 }],
    });
    const shopper = await browser.newContext();
    const agent = await browser.newContext();
    try {
      const { page: shop, chat } = await openShopChat(shopper, engine, tenantId, 'order');
      await chat.locator('#human').click();
      await expect(chat.locator('#leave-message')).toBeVisible();
      await chat.locator('#leave-message [name=phone]').fill('+86 138 0000 0000');
      await chat.locator('#leave-message [name=content]').fill('<b>Where</b> is my parcel?');
      await shop.screenshot({ path: await screenshotPath('widget-leave-message') });
      await chat.locator('#leave-message button[type=submit]').click();
      await expect(chat.locator('#left')).toBeVisible();

      const console = await logIn(agent, engine, '/console/', tenantId, lin);
      await console.locator('#tab-tickets').click();
      const ticket = console.locator('#tickets tr');
      await expect(ticket).toHaveCount(1);
      // Shopper text is shown as text, never parsed as markup.
      await expect(ticket).toContainText('<b>Where</b> is my parcel?');
      await expect(ticket).toContainText('+86 138 0000 0000');
      await console.screenshot({ path: await screenshotPath('console-tickets') });
    } finally {
      await Promise.all([shopper.close(), agent.close()]);
    }
  });

  it('when the agent’s network drops while the shopper sends 10 messages, then back online all 10 appear once, in order', async () => {
    const lin = uniqueId('lin');
    const { tenantId } = await consoleTenant(engine, {
      reserve: false,
      staff: [{ agentId: lin, role: 'agent', capacity: 2 }],
    });
    const shopper = await browser.newContext();
    const agent = await browser.newContext();
    try {
      const console = await logIn(agent, engine, '/console/', tenantId, lin);
      await goOnline(console);
      const { chat } = await openShopChat(shopper, engine, tenantId);
      await chat.locator('#human').click();
      const line = console.locator('#active li[data-phase="assigned"]');
      await expect(line).toHaveCount(1);
      await line.click();
      await shopperSays(chat, 'hello before the drop');
      await expect(console.locator('#chat-messages')).toContainText('hello before the drop');

      await agent.setOffline(true);
      await expect(console.locator('#connection')).toHaveText('offline — reconnecting…');
      const sent = Array.from({ length: 10 }, (_, i) => `message ${i + 1} of 10`);
      for (const text of sent) await shopperSays(chat, text);
      await agent.setOffline(false);

      const received = console.locator('#chat-messages li.message--visitor .message__text');
      await expect(received).toHaveTexts(['hello before the drop', ...sent]);
      await console.screenshot({ path: await screenshotPath('console-after-reconnect') });
    } finally {
      await Promise.all([shopper.close(), agent.close()]);
    }
  });
});
