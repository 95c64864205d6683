import type { Browser } from 'playwright-core';
import { expectUi } from './expect-ui';
import { launchChromium, screenshotPath } from '../support/browser';
import { consoleTenant } from '../support/console-tenant';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
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

describe('the chat workbench, in Chromium', () => {
  it('when shopper and agent type, write a private note, use an emoji, and the shopper hides the panel and then ends the chat, then each side sees what it should and the shopper never sees the note', async () => {
    const lin = uniqueId('lin');
    const boss = uniqueId('boss');
    const tenant = await consoleTenant(engine, {
      reserve: false,
      staff: [
        { agentId: lin, role: 'agent', capacity: 2 },
        { agentId: boss, role: 'supervisor', capacity: 0 },
      ],
    });
    const shopperContext = await browser.newContext();
    const agentContext = await browser.newContext();
    const bossContext = await browser.newContext();
    try {
      const console = await logIn(agentContext, engine, '/console/', tenant.tenantId, lin);
      await goOnline(console);
      const { page: shop, chat } = await openShopChat(shopperContext, engine, tenant.tenantId);
      await chat.locator('#human').click();
      const line = console.locator('#active li[data-phase="assigned"]');
      await expectUi(line).toHaveCount(1);
      await line.click();
      await expectUi(console.locator('#chat')).toBeVisible();
      await shopperSays(chat, 'Hello, is anyone there?');

      // Typing, both ways.
      await chat.locator('#text').pressSequentially('My parcel is');
      await expectUi(console.locator('#chat-typing')).toHaveText('The customer is typing…');
      await console.screenshot({ path: await screenshotPath('console-typing') });
      await console.locator('#reply-text').pressSequentially('Let me look');
      await expectUi(chat.locator('#typing')).toHaveText('The agent is typing…');
      await shop.screenshot({ path: await screenshotPath('widget-typing') });
      await chat.locator('#text').fill('');

      // An emoji from the picker lands in the reply.
      await console.locator('#emoji-open').click();
      await console.locator('#emoji-picker button', { hasText: '👍' }).click();
      await expectUi(console.locator('#reply-text')).toHaveValue('Let me look👍');
      await console.locator('#reply button[type=submit]').click();
      await expectUi(
        chat.locator('li.message--agent').filter({ hasText: 'Let me look👍' }),
      ).toBeVisible();
      await expectUi(chat.locator('#typing')).toBeHidden();

      // A private note: in the console's chat, never in the widget.
      const secret = `VIP, asked twice already ${uniqueId('n')}`;
      await console.locator('#note-open').click();
      await console.locator('#note-text').fill(secret);
      await console.locator('#note-form button[type=submit]').click();
      await expectUi(console.locator('#chat-messages li.message--note')).toContainText(secret);
      await console.screenshot({ path: await screenshotPath('console-note') });
      await console.locator('#reply-text').fill('Found your order');
      await console.locator('#reply button[type=submit]').click();
      await expectUi(
        chat.locator('li.message--agent').filter({ hasText: 'Found your order' }),
      ).toBeVisible();
      expect(await chat.locator('#messages').textContent()).not.toContain(secret);
      // A reload of the console reads the note back in its place.
      await console.reload();
      await expectUi(console.locator('#app')).toBeVisible();
      await console.locator('#active li[data-phase="assigned"]').click();
      await expectUi(console.locator('#chat-messages li.message--note')).toContainText(secret);

      // The supervisor watching the chat on the monitor reads the note among the messages.
      const monitor = await logIn(bossContext, engine, '/monitor/', tenant.tenantId, boss);
      await monitor.locator('#sessions [data-session-id]').first().click();
      await expectUi(monitor.locator('#watch-messages li.message--note')).toContainText(secret);
      await expectUi(monitor.locator('#watch-messages')).toContainText('Found your order');
      await monitor.screenshot({ path: await screenshotPath('monitor-note') });

      // The shopper hides the panel; the agent's messages meanwhile show on the launcher.
      const launcher = shop.locator('#reception-launcher');
      await launcher.click();
      await expectUi(shop.locator('#reception-chat')).toBeHidden();
      for (const text of ['Are you still there?', 'It ships tomorrow']) {
        await console.locator('#reply-text').fill(text);
        await console.locator('#reply button[type=submit]').click();
      }
      await expectUi(launcher.locator('.reception-unread')).toHaveText('2');
      await shop.screenshot({ path: await screenshotPath('widget-unread-badge') });
      await launcher.click();
      await expectUi(shop.locator('#reception-chat')).toBeVisible();
      await expectUi(launcher.locator('.reception-unread')).toBeHidden();
      await expectUi(
        chat.locator('li.message--agent').filter({ hasText: 'It ships tomorrow' }),
      ).toBeVisible();
      expect(await chat.locator('#messages').textContent()).not.toContain(secret);

      // The shopper ends the chat, after saying yes; the rating follows.
      await chat.locator('#end-chat').click();
      await expectUi(chat.locator('#end-confirm')).toBeVisible();
      await shop.screenshot({ path: await screenshotPath('widget-end-chat') });
      await chat.locator('#end-confirm .end-yes').click();
      await expectUi(chat.locator('#rating')).toBeVisible();
      await expectUi(chat.locator('#end-chat')).toBeHidden();
      await expectUi(console.locator('#active li')).toHaveCount(0);
      await shop.screenshot({ path: await screenshotPath('widget-ended-by-shopper') });
    } finally {
      await Promise.all([shopperContext.close(), agentContext.close(), bossContext.close()]);
    }
  });
});
