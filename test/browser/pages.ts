import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { expectUi as expect } from './expect-ui';
import type { TestEngine } from '../support/engine';
import { staffPassword } from '../support/console-tenant';

/** The shop page in English; the widget opens in its iframe from the product's button. */
export async function openShopChat(
  context: BrowserContext,
  engine: TestEngine,
  tenantId: string,
  entry: 'product' | 'order' = 'product',
): Promise<{ page: Page; chat: FrameLocator }> {
  const page = await context.newPage();
  await page.goto(`${engine.app.url}/shop/?tenant=${tenantId}&lang=en`);
  await page.locator(`[data-chat-entry="${entry}"]`).click();
  const chat = page.frameLocator('#reception-chat');
  await expect(chat.locator('#status')).toHaveText('Online');
  return { page, chat };
}

/** Logs a staff member into a console page (`/console/`, `/monitor/` or `/reports/`). */
export async function logIn(
  context: BrowserContext,
  engine: TestEngine,
  path: '/console/' | '/monitor/' | '/reports/',
  tenantId: string,
  agentId: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${engine.app.url}${path}?tenant=${tenantId}&lang=en`);
  const form = page.locator('#login');
  await form.locator('[name=agentId]').fill(agentId);
  await form.locator('[name=password]').fill(staffPassword);
  await form.locator('button[type=submit]').click();
  await expect(page.locator('#app')).toBeVisible();
  return page;
}

/** The agent's presence, through the console's switch; waits until the server has it. */
export async function goOnline(console: Page): Promise<void> {
  await expect(console.locator('#load')).toContainText('Load');
  await console.locator('#presence').selectOption('online');
  await expect(console.locator('#presence')).toHaveValue('online');
}

/** Sends a line from the widget and waits until it is stored (has a seq). */
export async function shopperSays(chat: FrameLocator, text: string): Promise<void> {
  await chat.locator('#text').fill(text);
  await chat.locator('#composer button[type=submit]').click();
  await expect(chat.locator('li.message--visitor[data-seq]').filter({ hasText: text })).toHaveCount(
    1,
  );
}
