import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { collections } from '../../stores/collections';
import { call } from '../support/api-client';
import { launchChromium, screenshotPath } from '../support/browser';
import { agentSend, agentToken, connectAgent, ok, visitorSend } from '../support/chat';
import { consoleTenant, type ConsoleTenant } from '../support/console-tenant';
import { connectVisitor, eventually, startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { expectUi } from './expect-ui';
import { logIn } from './pages';
import { apiShopper } from './shoppers';

/**
 * The supervisors' reports page in Chromium, over sessions the real engine
 * served (assigned, answered, closed, rated): the figures it shows are the
 * reports API's for the same period, a chart is drawn per figure, the
 * per-agent table sorts by the clicked column, and the CSV buttons save what
 * the API exports.
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

const figures = z.record(z.string(), z.unknown());
const summaryAnswer = z.object({
  from: z.string(),
  to: z.string(),
  figures,
  previous: z.object({ from: z.string(), to: z.string(), figures }),
});
const agentsAnswer = z.object({ items: z.array(z.object({ agentId: z.string(), figures })) });

/** The headline figures the page shows (console/reports/figures.js). */
const headline = [
  'consultations',
  'sessions',
  'handled',
  'replyRate24h',
  'firstResponseP50S',
  'firstResponseMeanS',
  'firstResponseWithinSlaRate',
  'satisfactionRate',
  'ratingParticipation',
  'meanScore',
  'queueWaitMeanS',
  'queueWaitP90S',
  'abandonmentRate',
  'robotResolutionRate',
  'tickets',
  'transfers',
  'silentAgent',
  'occupancy',
  'meanLoad',
];

async function setStatus(tenantId: string, agentId: string, status: 'online' | 'away') {
  const answer = await call(engine.app, 'PUT', `/api/v1/agents/${agentId}/status`, {
    token: agentToken(tenantId, agentId),
    body: { status },
  });
  expect(answer.status).toBe(200);
}

/** A shopper asks for a person and writes to `agentId` (the only one online), who answers and closes; the shopper rates. */
async function serve(tenantId: string, agentId: string, score: number) {
  const shopper = await apiShopper(engine, tenantId, { type: 'shop' });
  const visitor = await connectVisitor(engine.app, shopper.visitorToken);
  const agent = await connectAgent(engine.app.url, agentToken(tenantId, agentId));
  try {
    await shopper.askForPerson();
    await eventually(() =>
      collections(engine.db)
        .sessions.findOne({ _id: shopper.sessionId, tenantId, phase: 'assigned', agentId })
        .then((found) => found ?? undefined),
    );
    // To the person, after the handover: it counts for the reply rate and the first response.
    ok(
      await visitorSend(visitor, { kind: 'text', clientMsgId: 'q1', text: 'Where is my parcel?' }),
    );
    ok(
      await agentSend(agent, {
        sessionId: shopper.sessionId,
        kind: 'text',
        clientMsgId: 'r1',
        text: 'On its way',
      }),
    );
    const closed = await call(engine.app, 'POST', `/api/v1/sessions/${shopper.sessionId}/close`, {
      token: agentToken(tenantId, agentId),
    });
    expect(closed.status).toBe(200);
    await eventually(async () => {
      const rated = await call(engine.app, 'POST', `/api/v1/sessions/${shopper.sessionId}/rating`, {
        token: shopper.visitorToken,
        body: { score },
      });
      return rated.status === 200 ? true : undefined;
    });
  } finally {
    visitor.close();
    agent.close();
  }
}

/** Two agents' sessions: lin serves two (rated 5 and 2), then mei one (rated 4). */
async function servedDay() {
  const lin = uniqueId('lin');
  const mei = uniqueId('mei');
  const boss = uniqueId('boss');
  const tenant: ConsoleTenant = await consoleTenant(engine, {
    reserve: false,
    staff: [
      { agentId: lin, role: 'agent', capacity: 3 },
      { agentId: mei, role: 'agent', capacity: 3 },
      { agentId: boss, role: 'supervisor', capacity: 0 },
    ],
  });
  await setStatus(tenant.tenantId, lin, 'online');
  await serve(tenant.tenantId, lin, 5);
  await serve(tenant.tenantId, lin, 2);
  await setStatus(tenant.tenantId, lin, 'away');
  await setStatus(tenant.tenantId, mei, 'online');
  await serve(tenant.tenantId, mei, 4);
  const today = new Date().toISOString().slice(0, 10);
  // The worker's steps record the facts: wait until all three ratings count.
  await eventually(async () => {
    const body = summaryAnswer.parse(
      await report(tenant.tenantId, boss, `/api/v1/reports/summary?from=${today}&to=${today}`),
    );
    return body.figures.ratings === 3 && body.figures.handled === 3 ? true : undefined;
  }, 30_000);
  return { tenant, lin, mei, boss };
}

/** The API's JSON answer, as the supervisor. */
async function report(tenantId: string, boss: string, path: string): Promise<unknown> {
  const answer = await call(engine.app, 'GET', path, {
    token: agentToken(tenantId, boss, 'supervisor'),
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

/** The API's CSV export, as the supervisor. */
async function reportCsv(tenantId: string, boss: string, path: string): Promise<string> {
  const response = await fetch(`${engine.app.url}${path}`, {
    headers: { authorization: `Bearer ${agentToken(tenantId, boss, 'supervisor')}` },
  });
  expect(response.status).toBe(200);
  return response.text();
}

/** The page's figure cards, as `data-value` (the figure as the API gave it, `null` for none). */
async function shownFigures(page: Page, part: 'current' | 'previous') {
  const shown: Record<string, string | null> = {};
  for (const key of headline) {
    shown[key] = await page.locator(`[data-figure="${key}"] .${part}`).getAttribute('data-value');
  }
  return shown;
}

const asShown = (values: Record<string, unknown>) =>
  Object.fromEntries(headline.map((key) => [key, String(values[key])]));

describe('the reports page, in Chromium', () => {
  it('when a supervisor opens the reports from the monitor, then its figures are the API’s for the period, each figure has a chart, the per-agent table sorts by a clicked column, and a CSV button saves the API’s export', async () => {
    const { tenant, lin, mei, boss } = await servedDay();
    const today = new Date().toISOString().slice(0, 10);

    const context = await browser.newContext({ acceptDownloads: true });
    try {
      const monitor = await logIn(context, engine, '/monitor/', tenant.tenantId, boss);
      // The monitor's login serves the reports page in the same tab: no second login.
      await monitor.locator('#reports-link').click();
      const page = monitor;
      await expectUi(page.locator('#app')).toBeVisible();
      await expectUi(page.locator('#status')).toContainText('Updated');
      const from = await page.locator('#filters [name=from]').inputValue();
      const to = await page.locator('#filters [name=to]').inputValue();
      expect({ from, to }).toEqual({ from: today, to: today });

      const summary = summaryAnswer.parse(
        await report(tenant.tenantId, boss, `/api/v1/reports/summary?from=${from}&to=${to}`),
      );
      expect(summary.figures).toMatchObject({ consultations: 3, handled: 3, ratings: 3 });
      expect(await shownFigures(page, 'current')).toEqual(asShown(summary.figures));
      expect(await shownFigures(page, 'previous')).toEqual(asShown(summary.previous.figures));
      await expectUi(page.locator('[data-figure="consultations"] .current')).toHaveText('3');
      await expectUi(page.locator('[data-figure="satisfactionRate"] .current')).toHaveText('66.7%');
      await expectUi(page.locator('#range')).toContainText(
        `previous period ${summary.previous.from}`,
      );

      // A chart per figure, and the canvas has something drawn on it.
      await expectUi(page.locator('#charts [data-chart] canvas')).toHaveCount(headline.length);
      const painted = await page.locator('[data-chart="consultations"] canvas').evaluate((node) => {
        const canvas = node as HTMLCanvasElement;
        const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height);
        return pixels ? pixels.data.some((value, i) => i % 4 === 3 && value > 0) : false;
      });
      expect(painted).toBe(true);

      // The per-agent table: the API's figures, sorted by the clicked column.
      const agents = agentsAnswer.parse(
        await report(tenant.tenantId, boss, `/api/v1/reports/agents?from=${from}&to=${to}`),
      );
      const rows = page.locator('#agent-table tbody tr');
      const order = () => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.agentId));
      expect(await order()).toEqual([lin, mei]); // by handled, most first
      for (const item of agents.items) {
        const cell = page.locator(
          `#agent-table tr[data-agent-id="${item.agentId}"] [data-figure="satisfactionRate"]`,
        );
        expect(await cell.getAttribute('data-value')).toBe(String(item.figures.satisfactionRate));
      }
      await page.locator('th[data-sort="satisfactionRate"] button').click();
      expect(await order()).toEqual([mei, lin]);
      expect(await page.locator('th[data-sort="satisfactionRate"]').getAttribute('aria-sort')).toBe(
        'descending',
      );
      await page.locator('th[data-sort="satisfactionRate"] button').click();
      expect(await order()).toEqual([lin, mei]);
      await page.screenshot({ path: await screenshotPath('reports-page'), fullPage: true });

      // The per-agent CSV: fetched with the token, saved as the API exports it.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-export="agents"]').click(),
      ]);
      expect(download.suggestedFilename()).toBe(`agents-${from}-${to}.csv`);
      const saved = await readFile(await download.path(), 'utf8');
      const exported = await reportCsv(
        tenant.tenantId,
        boss,
        `/api/v1/reports/agents?from=${from}&to=${to}&format=csv`,
      );
      expect(saved).toBe(exported);
      const [conversations] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-export="conversations"]').click(),
      ]);
      const lines = (await readFile(await conversations.path(), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1 + 3); // the header and one line per conversation

      // One agent: the page asks the API for that agent's figures.
      await page.locator('#filters [name=agentId]').selectOption(mei);
      const hers = summaryAnswer.parse(
        await report(
          tenant.tenantId,
          boss,
          `/api/v1/reports/summary?from=${from}&to=${to}&agentId=${mei}`,
        ),
      );
      expect(hers.figures.handled).toBe(1);
      await expectUi(page.locator('[data-figure="handled"] .current')).toHaveText('1');
      expect(await shownFigures(page, 'current')).toEqual(asShown(hers.figures));

      // The other language, for the record.
      await page.locator('#lang').selectOption('zh-CN');
      await expectUi(page.locator('h1')).toHaveText('数据报表');
      await page.screenshot({ path: await screenshotPath('reports-page-zh'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('when the period is 7 days by day, then the page shows the API’s figures for those days and the days before, and a chart per figure', async () => {
    const { tenant, boss } = await servedDay();
    const context = await browser.newContext();
    try {
      const page = await logIn(context, engine, '/reports/', tenant.tenantId, boss);
      await expectUi(page.locator('#status')).toContainText('Updated');
      await page.locator('#filters [name=period]').selectOption('7d');
      await expectUi(page.locator('#filters [name=granularity]')).toHaveValue('day');
      const from = await page.locator('#filters [name=from]').inputValue();
      const to = await page.locator('#filters [name=to]').inputValue();
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
      expect(days).toBe(7);
      const summary = summaryAnswer.parse(
        await report(tenant.tenantId, boss, `/api/v1/reports/summary?from=${from}&to=${to}`),
      );
      await expectUi(page.locator('#range')).toContainText(`${from} – ${to}`);
      expect(await shownFigures(page, 'current')).toEqual(asShown(summary.figures));
      expect(await shownFigures(page, 'previous')).toEqual(asShown(summary.previous.figures));
      await expectUi(page.locator('#charts [data-chart] canvas')).toHaveCount(headline.length);
    } finally {
      await context.close();
    }
  });

  it('when a supervisor logs into the console, then it links to the reports; an agent’s console does not, and the reports page tells an agent it may not read them', async () => {
    const lin = uniqueId('lin');
    const boss = uniqueId('boss');
    const tenant = await consoleTenant(engine, {
      reserve: false,
      staff: [
        { agentId: lin, role: 'agent', capacity: 2 },
        { agentId: boss, role: 'supervisor', capacity: 1 },
      ],
    });
    const supervisor = await browser.newContext();
    const agent = await browser.newContext();
    try {
      const bossConsole = await logIn(supervisor, engine, '/console/', tenant.tenantId, boss);
      const link = bossConsole.locator('#reports-link');
      await expectUi(link).toBeVisible();
      expect(await link.getAttribute('href')).toBe(`/reports/?tenant=${tenant.tenantId}`);
      const linConsole = await logIn(agent, engine, '/console/', tenant.tenantId, lin);
      await expectUi(linConsole.locator('#connection')).toHaveText('connected');
      expect(await linConsole.locator('#reports-link').isVisible()).toBe(false);
      const linReports = await logIn(agent, engine, '/reports/', tenant.tenantId, lin);
      await expectUi(linReports.locator('#error')).toHaveText(
        'Reports are for supervisors and admins.',
      );
      expect(await linReports.locator('#figures .figure').count()).toBe(0);
    } finally {
      await supervisor.close();
      await agent.close();
    }
  });
});
