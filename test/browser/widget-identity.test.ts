import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { collections } from '../../stores/collections';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { identityToken } from '../support/identity';
import { uniqueId } from '../support/stack';
import { expectUi } from './expect-ui';

/**
 * The widget as an anonymous shopper (the engine makes the id; the widget
 * keeps the credential it is given and comes back with it) and as a shopper
 * the merchant's page has signed in (a JWT in the frame's fragment).
 */

let engine: TestEngine;
let browser: Browser;
beforeAll(async () => {
  [engine, browser] = await Promise.all([startTestEngine(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await engine?.close();
});

const widgetUrl = (tenantId: string, fragment = '') =>
  `${engine.app.url}/visitor/index.html?tenant=${tenantId}&entry=order&lang=en${fragment}`;

async function openWidget(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expectUi(page.locator('#status')).toHaveText('Online');
}

const openSessions = (tenantId: string) =>
  collections(engine.db).openSessions.find({ tenantId }).toArray();

describe('the widget’s shopper identity', () => {
  it('when an anonymous shopper reloads the widget, then it comes back to the same chat with the credential it kept; another browser is another shopper', async () => {
    const tenantId = await engine.createTenant({ locale: 'en' });
    const first = await browser.newContext();
    const second = await browser.newContext();
    try {
      const page = await first.newPage();
      await openWidget(page, widgetUrl(tenantId));
      await page.locator('#text').fill('hello from before the reload');
      await page.locator('#composer button[type=submit]').click();
      const mine = page.locator('li.message--visitor[data-seq]');
      await expectUi(mine).toHaveCount(1);
      const kept = await page.evaluate(
        (key) => localStorage.getItem(key),
        `reception.visitor.${tenantId}`,
      );
      expect(kept).toMatch(/^v1\./);
      const [opened] = await openSessions(tenantId);
      expect(opened?.visitorId).toMatch(/^anon-/);

      await page.reload();
      await expectUi(page.locator('#status')).toHaveText('Online');
      await expectUi(mine).toHaveCount(1);
      await expectUi(mine).toContainText('hello from before the reload');
      expect((await openSessions(tenantId)).map((s) => s.sessionId)).toEqual([opened?.sessionId]);

      await openWidget(await second.newPage(), widgetUrl(tenantId));
      const both = await eventually(async () => {
        const list = await openSessions(tenantId);
        return list.length === 2 ? list : undefined;
      });
      expect(new Set(both.map((s) => s.visitorId)).size).toBe(2);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('when the page passes a signed identity, then the widget opens as that verified customer; a forged one opens nothing', async () => {
    const tenantId = await engine.createTenant({ locale: 'en' });
    const customerId = uniqueId('u');
    const shopper = await browser.newContext();
    try {
      const page = await shopper.newPage();
      const forged = identityToken(tenantId, { sub: customerId }, 'not-the-identity-secret');
      await page.goto(widgetUrl(tenantId, `#identity=${forged}`));
      await expectUi(page.locator('#status')).toContainText('Could not open chat');
      expect(await openSessions(tenantId)).toEqual([]);

      const token = identityToken(tenantId, { sub: customerId, name: 'Lin Mei' });
      await page.goto(widgetUrl(tenantId, `#identity=${token}`));
      await page.reload();
      await expectUi(page.locator('#status')).toHaveText('Online');
      const [opened] = await openSessions(tenantId);
      expect(opened?.visitorId).toBe(customerId);
      const profile = await collections(engine.db).customers.findOne({
        tenantId,
        visitorId: customerId,
      });
      expect(profile).toMatchObject({ identity: 'verified', name: 'Lin Mei' });
      // A signed-in shopper needs no credential of the engine's.
      expect(
        await page.evaluate((key) => localStorage.getItem(key), `reception.visitor.${tenantId}`),
      ).toBeNull();
    } finally {
      await shopper.close();
    }
  });
});
