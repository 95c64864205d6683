import type { Browser, Page } from 'playwright-core';
import { messagePage } from '../../api/openapi';
import { agentSession, quickReplyView, sessionView } from '../../api/views';
import { collections } from '../../stores/collections';
import { call } from '../support/api-client';
import { launchChromium, screenshotPath } from '../support/browser';
import { ok, visitorSend } from '../support/chat';
import {
  asAdmin,
  consoleTenant,
  staffPassword,
  type ConsoleTenant,
} from '../support/console-tenant';
import {
  connectVisitor,
  startTestEngine,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { testSecret, uniqueId } from '../support/stack';
import { expectUi } from './expect-ui';
import { goOnline, logIn, openShopChat } from './pages';
import { apiShopper, seedSession } from './shoppers';
import { anonymousPrefix } from '../../domain/identity';
import { issueVisitorCredential } from '../../runtime/tokens';

/**
 * The agent console's tools in Chromium: quick replies by keyboard, links
 * and cards, the customer panel with tags and earlier chats, history paged
 * backwards, outreach under the 3-day rule, offer alerts, and the
 * supervisor monitor pushed live. Each test makes its own tenant and staff.
 */

let engine: TestEngine;
let browser: Browser;
const sockets: VisitorSocket[] = [];
beforeAll(async () => {
  // The history test's shopper sends more than the default rate allows in one window.
  [engine, browser] = await Promise.all([
    startTestEngine({ VISITOR_SEND_LIMIT: 1000 }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await browser?.close();
  await engine?.close();
});

const hours = (n: number) => n * 60 * 60 * 1000;

/** A tenant without reservations, one agent, and that agent's console online. */
async function desk(options: { reserve?: boolean } = {}) {
  const lin = uniqueId('lin');
  const tenant = await consoleTenant(engine, {
    reserve: options.reserve ?? false,
    staff: [{ agentId: lin, role: 'agent', capacity: 3 }],
  });
  return { lin, tenant };
}

/** The agent's own token, as the console gets it, to read back what the console stored. */
async function agentToken(tenantId: string, agentId: string): Promise<string> {
  const answer = await call(engine.app, 'POST', '/api/v1/auth/agent-login', {
    body: { tenantId, agentId, password: staffPassword },
  });
  return agentSession.parse(answer.body).token;
}

/** Opens the only assigned chat in the console's list. */
async function openAssignedChat(console: Page): Promise<void> {
  const line = console.locator('#active li[data-phase="assigned"]');
  await expectUi(line).toHaveCount(1);
  await line.click();
  await expectUi(console.locator('#chat')).toBeVisible();
}

describe('the agent console’s tools, in Chromium', () => {
  it('when the agent types "/" and picks a quick reply with the arrow keys and Enter, then the shopper receives it; a personal one made in the picker is stored', async () => {
    const { lin, tenant } = await desk();
    await asAdmin(engine, tenant, 'POST', '/api/v1/quick-replies', {
      shortcut: '/thanks',
      text: 'Thank you for shopping with us',
    });
    const shopper = await browser.newContext();
    const agent = await browser.newContext();
    try {
      const console = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      await goOnline(console);
      const { chat } = await openShopChat(shopper, engine, tenant.tenantId);
      await chat.locator('#human').click();
      await openAssignedChat(console);

      // A personal quick reply, made from the picker.
      await console.locator('#qr-open').click();
      await expectUi(console.locator('#qr-list li')).toHaveCount(1);
      await console.locator('#qr-new summary').click();
      await console.locator('#qr-form [name=shortcut]').fill('/ship');
      await console.locator('#qr-form [name=text]').fill('Your parcel left our warehouse today');
      await console.locator('#qr-form button[type=submit]').click();
      await expectUi(console.locator('#qr-list li')).toHaveCount(2);
      await console.locator('#qr-search').press('Escape');

      // "/" opens the picker on both, sorted by shortcut; a search narrows it.
      const composer = console.locator('#reply-text');
      await composer.focus();
      await composer.pressSequentially('/');
      const options = console.locator('#qr-list li');
      await expectUi(options.locator('.qr-shortcut')).toHaveTexts(['/ship', '/thanks']);
      await expectUi(options.locator('.qr-scope')).toHaveTexts(['mine', 'shop']);
      await composer.pressSequentially('parcel');
      await expectUi(options.locator('.qr-shortcut')).toHaveTexts(['/ship']);
      for (let i = 0; i < 'parcel'.length; i++) await composer.press('Backspace');
      await expectUi(options).toHaveCount(2);
      await composer.press('ArrowDown');
      await expectUi(console.locator('#qr-list li[aria-selected="true"]')).toContainText('/thanks');
      await console.screenshot({ path: await screenshotPath('console-quick-replies') });
      await composer.press('Enter');
      await expectUi(console.locator('#qr-picker')).toBeHidden();
      await expectUi(composer).toHaveValue('Thank you for shopping with us');
      await composer.press('Enter');
      await expectUi(
        chat.locator('li.message--agent').filter({ hasText: 'Thank you for shopping with us' }),
      ).toBeVisible();
      await expectUi(composer).toHaveValue('');

      const mine = await call(engine.app, 'GET', '/api/v1/quick-replies?scope=personal', {
        token: await agentToken(tenant.tenantId, lin),
      });
      const items = (mine.body as { items: unknown[] }).items.map((i) => quickReplyView.parse(i));
      expect(items).toEqual([
        expect.objectContaining({
          scope: 'personal',
          ownerId: lin,
          shortcut: '/ship',
          text: 'Your parcel left our warehouse today',
        }),
      ]);
    } finally {
      await Promise.all([shopper.close(), agent.close()]);
    }
  });

  it('when the agent sends a product card (after a refused link), then both sides show the card, not markup', async () => {
    const { lin, tenant } = await desk();
    const shopper = await browser.newContext();
    const agent = await browser.newContext();
    try {
      const console = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      await goOnline(console);
      const { page: shop, chat } = await openShopChat(shopper, engine, tenant.tenantId);
      await chat.locator('#human').click();
      await openAssignedChat(console);

      await console.locator('#attach-open').click();
      const dialog = console.locator('#attach-dialog');
      await expectUi(dialog).toBeVisible();
      // The chat came from product sku-1001: the card starts as that product.
      await expectUi(dialog.locator('[name=kind]')).toHaveValue('product');
      await expectUi(dialog.locator('[name=ref]')).toHaveValue('sku-1001');
      await dialog.locator('[name=title]').fill('<b>Linen</b> shirt');
      await dialog.locator('[name=price]').fill('¥199.00');
      await dialog.locator('[name=cardUrl]').fill('javascript:alert(1)');
      await dialog.locator('[name=caption]').fill('This one?');
      await dialog.locator('button[type=submit]').click();
      await expectUi(dialog.locator('.form-error')).toContainText('card.url');
      await dialog.locator('[name=cardUrl]').fill('https://shop.example/p/sku-1001');
      await console.screenshot({ path: await screenshotPath('console-card-dialog') });
      await dialog.locator('button[type=submit]').click();
      await expectUi(dialog).toBeHidden();

      const shopperCard = chat.locator('li.message--agent[data-kind="card"]');
      await expectUi(shopperCard).toHaveCount(1);
      await expectUi(shopperCard.locator('.card__title')).toHaveText('<b>Linen</b> shirt');
      await expectUi(shopperCard.locator('.card__facts')).toHaveText('¥199.00');
      await expectUi(shopperCard.locator('.card__ref')).toHaveText('#sku-1001');
      await expectUi(shopperCard.locator('.message__text')).toHaveText('This one?');
      expect(await shopperCard.locator('a.message__card').getAttribute('href')).toBe(
        'https://shop.example/p/sku-1001',
      );
      expect(await shopperCard.locator('b').count()).toBe(0);
      await expectUi(
        console.locator('#chat-messages li[data-kind="card"] .card__title'),
      ).toHaveText('<b>Linen</b> shirt');
      await shop.screenshot({ path: await screenshotPath('widget-product-card') });

      // A file link: its name and size, as a link.
      await console.locator('#attach-open').click();
      await dialog.locator('[name=kind]').selectOption('file');
      await dialog.locator('[name=url]').fill('https://cdn.example/manuals/size-guide.pdf');
      await dialog.locator('[name=url]').dispatchEvent('change');
      await expectUi(dialog.locator('[name=name]')).toHaveValue('size-guide.pdf');
      await expectUi(dialog.locator('[name=mimeType]')).toHaveValue('application/pdf');
      await dialog.locator('[name=sizeKb]').fill('240');
      await dialog.locator('button[type=submit]').click();
      const file = chat.locator('li.message--agent[data-kind="file"] a.message__file');
      await expectUi(file.locator('.message__file-name')).toHaveText('size-guide.pdf');
      await expectUi(file.locator('.message__file-size')).toHaveText('240 KB');
      expect(await file.getAttribute('href')).toBe('https://cdn.example/manuals/size-guide.pdf');
    } finally {
      await Promise.all([shopper.close(), agent.close()]);
    }
  });

  it('when the chat is open, then the customer panel shows the entry, an earlier chat and tags, and tags the agent sets are stored', async () => {
    const { lin, tenant } = await desk();
    await asAdmin(engine, tenant, 'POST', '/api/v1/tag-groups', {
      groupId: 'intent',
      name: 'Intent',
    });
    for (const [tagId, name, target] of [
      ['refund', 'Refund', 'session'],
      ['size-question', 'Size question', 'session'],
      ['loyal', 'Loyal customer', 'customer'],
    ] as const) {
      await asAdmin(engine, tenant, 'POST', '/api/v1/tags', {
        tagId,
        groupId: 'intent',
        name,
        target,
      });
    }
    // The shopper's browser id is known, and they chatted with Mei yesterday about an order.
    const visitorId = uniqueId(`${anonymousPrefix}v`);
    const earlier = await seedSession(engine, tenant.tenantId, {
      visitorId,
      agentId: uniqueId('mei'),
      ago: hours(26),
      entry: { type: 'order', ref: 'o-77' },
      rating: 4,
    });
    const shopper = await browser.newContext();
    // The widget keeps the anonymous shopper's credential, as an earlier open handed it out.
    const credential = issueVisitorCredential(
      testSecret,
      { tenantId: tenant.tenantId, visitorId },
      3600,
    ).token;
    await shopper.addInitScript(([key, kept]) => localStorage.setItem(key, kept), [
      `reception.visitor.${tenant.tenantId}`,
      credential,
    ] as const);
    const agent = await browser.newContext();
    try {
      const console = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      await goOnline(console);
      const { chat } = await openShopChat(shopper, engine, tenant.tenantId);
      await chat.locator('#human').click();
      // The merchant's CRM fills the profile the shopper's open made.
      await asAdmin(engine, tenant, 'PATCH', `/api/v1/customers/${visitorId}`, {
        name: 'Lin Mei',
        email: 'mei@example.com',
      });
      await openAssignedChat(console);

      const panel = console.locator('#customer');
      await expectUi(panel).toBeVisible();
      await expectUi(panel.locator('#cp-visitor')).toHaveText(visitorId);
      await expectUi(panel.locator('#cp-entry')).toHaveText('product sku-1001');
      await expectUi(panel.locator('#cp-channel')).toHaveText('web');
      await expectUi(panel.locator('#cp-identity')).toHaveText('anonymous');
      await expectUi(panel.locator('#cp-name')).toHaveText('Lin Mei');
      await expectUi(panel.locator('#cp-contact')).toHaveText('mei@example.com');
      const history = panel.locator(`#cp-history li[data-session-id="${earlier}"]`);
      await expectUi(history).toContainText('order o-77');
      await expectUi(history).toContainText('rated 4/5');
      await expectUi(panel.locator('#cp-history li')).toHaveCount(1);

      await panel.locator('#cp-session-tag-add').selectOption('refund');
      await expectUi(panel.locator('#cp-session-tags li[data-tag-id="refund"]')).toContainText(
        'Refund',
      );
      await panel.locator('#cp-session-tag-add').selectOption('size-question');
      await panel.locator('#cp-customer-tag-add').selectOption('loyal');
      await expectUi(panel.locator('#cp-customer-tags li span')).toHaveTexts(['Loyal customer']);
      await panel.locator('#cp-session-tags li[data-tag-id="size-question"] button').click();
      await expectUi(panel.locator('#cp-session-tags li')).toHaveCount(1);
      await console.screenshot({ path: await screenshotPath('console-customer-panel') });

      const sessionId = await panel.evaluate(() =>
        document
          .querySelector('#active li[data-phase="assigned"]')
          ?.getAttribute('data-session-id'),
      );
      const stored = await call(engine.app, 'GET', `/api/v1/sessions/${sessionId ?? ''}`, {
        token: tenant.adminKey,
      });
      expect(sessionView.parse(stored.body).tags).toEqual(['refund']);
      const customer = await call(engine.app, 'GET', `/api/v1/customers/${visitorId}/tags`, {
        token: tenant.adminKey,
      });
      expect(customer.body).toEqual({ visitorId, tags: ['loyal'] });

      // The same panel in Chinese.
      await console.locator('#lang').selectOption('zh-CN');
      await expectUi(panel.locator('h3')).toHaveText('顾客');
      await expectUi(history).toContainText('评分 4/5');
      await expectUi(console.locator('#qr-open')).toHaveText('常用语');
      await expectUi(console.locator('#attach-open')).toHaveText('链接或卡片');
    } finally {
      await Promise.all([shopper.close(), agent.close()]);
    }
  });

  it('when a chat has more than a page of messages, then it opens on the latest and pages back to the first, in order, each once', async () => {
    const { lin, tenant } = await desk();
    const agent = await browser.newContext();
    try {
      const console = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      await goOnline(console);
      const shopper = await apiShopper(engine, tenant.tenantId, { type: 'order', ref: 'o-9' });
      await shopper.askForPerson();
      await expectUi(console.locator('#active li[data-phase="assigned"]')).toHaveCount(1);
      const socket = await connectVisitor(engine.app, shopper.visitorToken);
      sockets.push(socket);
      const sent = Array.from({ length: 70 }, (_, i) => `line ${i + 1} of 70`);
      for (const [i, text] of sent.entries()) {
        ok(await visitorSend(socket, { kind: 'text', clientMsgId: `h${i}`, text }));
      }
      // The list line knows the last message once the push has caught up.
      await expectUi(console.locator('#active li[data-phase="assigned"]')).toContainText(
        'line 70 of 70',
      );
      await openAssignedChat(console);

      const seqs = () =>
        console
          .locator('#chat-messages li[data-seq]')
          .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
      await expectUi(console.locator('#chat-messages li[data-seq]')).toHaveCount(30);
      // Opening it read it: the unread badge goes.
      await expectUi(console.locator('#active li .badge')).toHaveCount(0);
      await expectUi(console.locator('#chat-messages li').last()).toContainText('line 70 of 70');
      const button = console.locator('#load-earlier');
      await expectUi(button).toBeVisible();

      // Scrolling to the top loads the page before; the button loads the rest.
      await console.locator('#chat-messages').evaluate((list) => {
        list.scrollTop = 0;
      });
      await expectUi(console.locator('#chat-messages li[data-seq]')).toHaveCount(60);
      const stored = await call(
        engine.app,
        'GET',
        `/api/v1/sessions/${shopper.sessionId}/messages?limit=200`,
        { token: shopper.visitorToken },
      );
      const last = messagePage.parse(stored.body).messages.at(-1)?.seq ?? 0;
      for (let page = 0; page < 5 && (await seqs()).length < last; page++) {
        const before = (await seqs()).length;
        await button.click();
        await expectEventually(seqs, (now) => now.length > before);
      }
      expect(await seqs()).toEqual(Array.from({ length: last }, (_, i) => i + 1));
      await expectUi(
        console.locator('#chat-messages li.message--visitor .message__text'),
      ).toHaveTexts(sent);
      await expectUi(button).toBeHidden();
      await console.screenshot({ path: await screenshotPath('console-history-start') });
    } finally {
      await agent.close();
    }
  });

  it('when the agent messages an ended chat’s customer first, then an old customer is refused with the reason and a recent one is accepted', async () => {
    const { lin, tenant } = await desk();
    const oldVisitor = uniqueId('v-old');
    const recentVisitor = uniqueId('v-recent');
    const old = await seedSession(engine, tenant.tenantId, {
      visitorId: oldVisitor,
      agentId: lin,
      ago: hours(80),
      entry: { type: 'product', ref: 'sku-9' },
    });
    const recent = await seedSession(engine, tenant.tenantId, {
      visitorId: recentVisitor,
      agentId: lin,
      ago: hours(30),
      entry: { type: 'order', ref: 'o-5' },
    });
    const agent = await browser.newContext();
    try {
      const console = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      // Recently closed comes from the sessions API, so it survives the reload that login is.
      await expectUi(console.locator('#closed li')).toHaveCount(2);
      await console.locator(`#closed li[data-session-id="${old}"]`).click();
      const panel = console.locator('#customer');
      await expectUi(console.locator('#chat-ended')).toBeVisible();
      await expectUi(panel.locator('#cp-outreach-status')).toContainText('more than 3 days ago');
      await panel.locator('#cp-outreach-form [name=text]').fill('Your size is back in stock');
      await panel.locator('#cp-outreach-form button[type=submit]').click();
      await expectUi(panel.locator('#cp-outreach-form .form-error')).toHaveText(
        'Not allowed: the customer’s last chat began more than 3 days ago (outreach is allowed for 3 days).',
      );
      await console.screenshot({ path: await screenshotPath('console-outreach-refused') });

      await console.locator(`#closed li[data-session-id="${recent}"]`).click();
      await expectUi(panel.locator('#cp-visitor')).toHaveText(recentVisitor);
      await expectUi(panel.locator('#cp-outreach-status')).toContainText('Allowed until');
      await panel.locator('#cp-outreach-form [name=text]').fill('Your order o-5 has shipped');
      await panel.locator('#cp-outreach-form button[type=submit]').click();
      await expectUi(panel.locator('#cp-outreach-form .form-ok')).toContainText('Saved');

      const stored = await collections(engine.db)
        .outreaches.find({ tenantId: tenant.tenantId })
        .toArray();
      expect(stored.map((o) => [o.visitorId, o.agentId, o.text])).toEqual([
        [recentVisitor, lin, 'Your order o-5 has shipped'],
      ]);
    } finally {
      await agent.close();
    }
  });

  it('when an offer arrives, then the console notifies on the desktop and beeps', async () => {
    const { lin, tenant } = await desk({ reserve: true });
    const agent = await browser.newContext();
    // Records what the page asks of the Notification and WebAudio APIs.
    await agent.addInitScript(() => {
      const page = window as unknown as { notified: string[]; beeps: number };
      page.notified = [];
      page.beeps = 0;
      const fake = function (title: string) {
        page.notified.push(title);
        return { close: () => undefined };
      };
      Object.assign(fake, {
        permission: 'granted',
        requestPermission: () => Promise.resolve('granted'),
      });
      Object.defineProperty(window, 'Notification', { value: fake });
      const create = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        page.beeps += 1;
        return create.call(this);
      };
    });
    try {
      const console = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      await goOnline(console);
      const shopper = await apiShopper(engine, tenant.tenantId, { type: 'product', ref: 'sku-3' });
      await shopper.askForPerson();
      await expectUi(console.locator('#offers li[data-phase="reserved"]')).toHaveCount(1);
      const alerted = () =>
        console.evaluate(() => {
          const page = window as unknown as { notified: string[]; beeps: number };
          return { notified: page.notified, beeps: page.beeps };
        });
      await expectEventually(alerted, (a) => a.notified.length === 1 && a.beeps >= 1);
      expect((await alerted()).notified).toEqual(['New chat waiting for you']);
    } finally {
      await agent.close();
    }
  });

  it('when a shopper queues and an agent comes online, then the monitor shows it without waiting for its 15 s re-read, and a chat opens to watch, with no composer until the supervisor joins', async () => {
    const lin = uniqueId('lin');
    const boss = uniqueId('boss');
    const tenant: ConsoleTenant = await consoleTenant(engine, {
      reserve: false,
      staff: [
        { agentId: lin, role: 'agent', capacity: 2 },
        { agentId: boss, role: 'supervisor', capacity: 0 },
      ],
    });
    const supervisor = await browser.newContext();
    try {
      const monitor = await logIn(supervisor, engine, '/monitor/', tenant.tenantId, boss);
      const queue = monitor.locator('#groups tr[data-group-id="sales"]');
      await expectUi(queue).toBeVisible();
      await expectUi(monitor.locator('#updated')).toContainText('Updated');
      const shopper = await apiShopper(engine, tenant.tenantId, { type: 'shop' });
      const socket = await connectVisitor(engine.app, shopper.visitorToken);
      sockets.push(socket);
      ok(await visitorSend(socket, { kind: 'text', clientMsgId: 'm1', text: 'Is anyone there?' }));
      await shopper.askForPerson();
      // Well inside the 15 s fallback: only the server's hint can make it this quick.
      await expectUi(queue.locator('td').nth(1), 5_000).toHaveText('1');
      await call(engine.app, 'PUT', `/api/v1/agents/${lin}/status`, {
        token: await agentToken(tenant.tenantId, lin),
        body: { status: 'online' },
      });
      await expectUi(monitor.locator(`#agents tr[data-agent-id="${lin}"]`), 5_000).toContainText(
        '1 / 2',
      );
      await expectUi(queue.locator('td').nth(1), 5_000).toHaveText('0');

      await monitor.locator(`#sessions tr[data-session-id="${shopper.sessionId}"]`).click();
      const watch = monitor.locator('#watch');
      await expectUi(watch).toContainText('Is anyone there?');
      await expectUi(watch.locator('#compose')).toBeHidden();
      await monitor.screenshot({ path: await screenshotPath('monitor-watch') });
    } finally {
      await supervisor.close();
    }
  });
});

/** Re-reads until `met`, like the UI assertions, for what the page records. */
async function expectEventually<T>(read: () => Promise<T>, met: (value: T) => boolean) {
  const deadline = Date.now() + 20_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (met(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not met within 20 s; last seen ${JSON.stringify(last)}`);
}
