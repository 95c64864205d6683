import type { Browser } from 'playwright-core';
import { expectUi as expect } from './expect-ui';
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

describe('the consoles, end to end in Chromium', () => {
  it('when a shopper asks the robot, queues, is accepted, chats, is transferred and closed, then their 5-star rating shows on the monitor', async () => {
    const lin = uniqueId('lin');
    const mei = uniqueId('mei');
    const boss = uniqueId('boss');
    const { tenantId } = await consoleTenant(engine, {
      reserve: true,
      staff: [
        { agentId: lin, role: 'agent', capacity: 2 },
        { agentId: mei, role: 'agent', capacity: 2 },
        { agentId: boss, role: 'supervisor', capacity: 0 },
      ],
    });
    const shopperContext = await browser.newContext();
    const linContext = await browser.newContext();
    const meiContext = await browser.newContext();
    const bossContext = await browser.newContext();
    try {
      // The shopper opens chat from the product page and asks an FAQ question.
      const { page: shop, chat } = await openShopChat(shopperContext, engine, tenantId);
      await expect(chat.locator('#entry')).toHaveText('About product sku-1001');
      await shopperSays(chat, 'How do I return an item?');
      await expect(
        chat.locator('li.message--robot').filter({ hasText: 'within 7 days of delivery' }),
      ).toBeVisible();
      await shop.screenshot({ path: await screenshotPath('widget-robot') });

      // Nobody is online: asking for a person puts them first in the queue.
      await chat.locator('#human').click();
      await expect(chat.locator('#queue')).toContainText('number 1 in the queue');
      await shop.screenshot({ path: await screenshotPath('widget-queue') });

      // Lin goes online and gets the offer with its countdown, then accepts it.
      const linPage = await logIn(linContext, engine, '/console/', tenantId, lin);
      await goOnline(linPage);
      const offer = linPage.locator('#offers li[data-phase="reserved"]');
      await expect(offer).toHaveCount(1);
      await expect(offer.locator('.countdown')).toHaveText(/^\d+s$/);
      await linPage.screenshot({ path: await screenshotPath('console-offer') });
      await offer.locator('button.accept').click();
      await expect(linPage.locator('#active li[data-phase="assigned"]')).toHaveCount(1);
      await expect(linPage.locator('#load')).toHaveText('Load 1 / 2');

      // Both ways: the agent sees the robot history, replies, the shopper answers.
      const linChat = linPage.locator('#chat-messages');
      await expect(linChat).toContainText('How do I return an item?');
      await linPage.locator('#reply-text').fill('Hi, this is Lin. Which order is it?');
      await linPage.locator('#reply button[type=submit]').click();
      await expect(
        chat.locator('li.message--agent').filter({ hasText: 'Which order is it?' }),
      ).toBeVisible();
      await shopperSays(chat, 'Order ord-2024-0042, thanks');
      await expect(linChat.locator('li.message--visitor').last()).toContainText(
        'Order ord-2024-0042',
      );
      await linPage.screenshot({ path: await screenshotPath('console-chat') });

      // Mei comes online; Lin transfers the chat to her, she sees the history and closes.
      const meiPage = await logIn(meiContext, engine, '/console/', tenantId, mei);
      await goOnline(meiPage);
      await linPage.locator('#transfer').click();
      const target = linPage.locator(`#transfer-agents li[data-agent-id="${mei}"]`);
      await expect(target).toContainText('Online · 0/2');
      await linPage.screenshot({ path: await screenshotPath('console-transfer') });
      await target.locator('button').click();
      await expect(linPage.locator('#active li')).toHaveCount(0);
      await expect(linPage.locator('#closed li')).toHaveCount(1);
      const meiLine = meiPage.locator('#active li[data-phase="assigned"]');
      await expect(meiLine).toHaveCount(1);
      await meiLine.click();
      await expect(meiPage.locator('#chat-messages')).toContainText('Order ord-2024-0042');
      await expect(
        chat.locator('li.message--system').filter({ hasText: `transferred to ${mei}` }),
      ).toBeVisible();
      await meiPage.locator('#close').click();
      await expect(meiPage.locator('#active li')).toHaveCount(0);
      // Ended chats read back: Mei, who closed it, sees its messages read-only; Lin, who
      // handed it over, is told it is Mei's to read.
      await meiPage.locator('#closed li').first().click();
      await expect(meiPage.locator('#chat-ended')).toBeVisible();
      await expect(meiPage.locator('#chat-messages')).toContainText('Order ord-2024-0042');
      await expect(meiPage.locator('#reply')).toBeHidden();
      await linPage.locator('#closed li').first().click();
      await expect(linPage.locator('#chat-error')).toHaveText(
        'Another agent ended this chat, so its messages are theirs to read.',
      );
      await expect(linPage.locator('#chat-messages li')).toHaveCount(0);

      // The shopper rates 5 with a comment.
      await expect(chat.locator('#rating')).toBeVisible();
      await shop.screenshot({ path: await screenshotPath('widget-rating') });
      await chat.locator('#rating [data-score="5"]').click();
      await chat.locator('#rating [name=comment]').fill('Quick and kind');
      await chat.locator('#rating button[type=submit]').click();
      await expect(chat.locator('#rated')).toHaveText('You rated this chat 5/5. Thank you!');

      // The supervisor's monitor shows the rating and today's figures.
      const monitor = await logIn(bossContext, engine, '/monitor/', tenantId, boss);
      await expect(monitor.locator('#f-satisfaction')).toHaveText('100%');
      await expect(monitor.locator('#f-ratings')).toHaveText('1 (5.0)');
      await expect(monitor.locator('#recent-ratings tr')).toContainText('5/5');
      await expect(monitor.locator('#recent-ratings tr')).toContainText('Quick and kind');
      await expect(monitor.locator('#f-reply')).toHaveText('100%');
      await expect(monitor.locator(`#agents tr[data-agent-id="${mei}"]`)).toContainText('online');
      await monitor.screenshot({ path: await screenshotPath('monitor') });
    } finally {
      await Promise.all(
        [shopperContext, linContext, meiContext, bossContext].map((c) => c.close()),
      );
    }
  });
});
