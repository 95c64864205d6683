import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { launchChromium, screenshotPath } from '../support/browser';
import { consoleTenant } from '../support/console-tenant';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { expectUi } from './expect-ui';
import { goOnline, logIn, openShopChat } from './pages';

/**
 * Attachments in Chromium: the shopper picks a picture in the widget, the
 * agent pastes one and picks a PDF in the console; each is uploaded, sent as
 * a message, and shown on both sides from its signed link. A file whose
 * bytes and name disagree is refused with the server's reason.
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

const picture = (background: { r: number; g: number; b: number }) =>
  sharp({ create: { width: 480, height: 360, channels: 3, background } })
    .png()
    .toBuffer();

/** Waits until the image has loaded from its link (a broken link has no natural width). */
async function loaded(image: Locator): Promise<void> {
  await expectUi(image).toBeVisible();
  await image.scrollIntoViewIfNeeded();
  const width = await image.evaluate(
    (node) =>
      new Promise<number>((resolve) => {
        const img = node as HTMLImageElement;
        if (img.complete) return resolve(img.naturalWidth);
        img.addEventListener('load', () => resolve(img.naturalWidth));
        img.addEventListener('error', () => resolve(0));
      }),
  );
  expect(width).toBeGreaterThan(0);
}

async function chatWithAgent(): Promise<{ console: Page; chat: FrameLocator; shop: Page }> {
  const lin = uniqueId('lin');
  const tenant = await consoleTenant(engine, {
    reserve: false,
    staff: [{ agentId: lin, role: 'agent', capacity: 3 }],
  });
  const console = await logIn(
    await browser.newContext(),
    engine,
    '/console/',
    tenant.tenantId,
    lin,
  );
  await goOnline(console);
  const { page: shop, chat } = await openShopChat(
    await browser.newContext(),
    engine,
    tenant.tenantId,
  );
  await chat.locator('#human').click();
  const line = console.locator('#active li[data-phase="assigned"]');
  await expectUi(line).toHaveCount(1);
  await line.click();
  await expectUi(console.locator('#chat')).toBeVisible();
  return { console, chat, shop };
}

describe('attachments in the widget and the console, in Chromium', () => {
  it('when the shopper picks a picture in the widget, then both sides show it from its link; a PNG named .pdf is refused with the reason', async () => {
    const { console, chat, shop } = await chatWithAgent();
    try {
      await chat.locator('input.upload-input').setInputFiles({
        name: 'cracked-lid.png',
        mimeType: 'image/png',
        buffer: await picture({ r: 220, g: 120, b: 40 }),
      });
      const mine = chat.locator('li.message--visitor[data-kind="image"][data-seq] img');
      await loaded(mine);
      const theirs = console.locator('#chat-messages li.message--visitor[data-kind="image"] img');
      await loaded(theirs);

      await chat.locator('input.upload-input').setInputFiles({
        name: 'receipt.pdf',
        mimeType: 'application/pdf',
        buffer: await picture({ r: 10, g: 10, b: 10 }),
      });
      await expectUi(chat.locator('li.message--failed')).toContainText('image/png');
      await shop.screenshot({ path: await screenshotPath('widget-attachments') });
    } finally {
      await Promise.all([console.context().close(), shop.context().close()]);
    }
  });

  it('when the agent pastes a picture and picks a PDF in the console, then the shopper sees the picture and a download link to the PDF', async () => {
    const { console, chat, shop } = await chatWithAgent();
    try {
      const png = (await picture({ r: 40, g: 140, b: 200 })).toString('base64');
      await console.locator('#reply-text').evaluate((textarea, bytes) => {
        const data = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
        const files = new DataTransfer();
        files.items.add(new File([data], 'image.png', { type: 'image/png' }));
        textarea.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: files, bubbles: true, cancelable: true }),
        );
      }, png);
      await loaded(chat.locator('li.message--agent[data-kind="image"] img'));
      await loaded(console.locator('#chat-messages li.message--agent[data-kind="image"] img'));

      await console.locator('input.upload-input').setInputFiles({
        name: 'invoice-7.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.concat([Buffer.from('%PDF-1.4\n% invoice 7\n'), Buffer.alloc(2_000, 32)]),
      });
      const file = chat.locator('li.message--agent[data-kind="file"] a.message__file');
      await expectUi(file).toContainText('invoice-7.pdf');
      const href = await file.getAttribute('href');
      const answer = await fetch(`${engine.app.url}${href ?? ''}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-disposition')).toMatch(/^attachment/);
      await console.screenshot({ path: await screenshotPath('console-attachments') });
      await shop.screenshot({ path: await screenshotPath('widget-attachments-from-agent') });
    } finally {
      await Promise.all([console.context().close(), shop.context().close()]);
    }
  });
});
