import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { call } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { asAdmin, consoleTenant, staffPassword } from '../support/console-tenant';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { expectUi } from './expect-ui';
import { logIn } from './pages';

/**
 * The console when access ends, in Chromium: its Log out button revokes the
 * token on the server, and an agent deactivated by an admin is sent back to
 * the login form at once.
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

/** The token the console keeps in this tab. */
async function storedToken(console: Page): Promise<string> {
  const saved = await console.evaluate(() => sessionStorage.getItem('reception.console.login'));
  return z.object({ token: z.string() }).parse(JSON.parse(saved ?? 'null')).token;
}

async function desk() {
  const agentId = uniqueId('lin');
  const tenant = await consoleTenant(engine, {
    reserve: false,
    staff: [{ agentId, role: 'agent', capacity: 2 }],
  });
  return { agentId, tenant };
}

describe('the console when access ends, in Chromium', () => {
  it('when the agent clicks Log out, then the console shows the login form and the token it had no longer works', async () => {
    const { agentId, tenant } = await desk();
    const context = await browser.newContext();
    try {
      const console = await logIn(context, engine, '/console/', tenant.tenantId, agentId);
      const token = await storedToken(console);
      expect((await call(engine.app, 'GET', `/api/v1/agents/${agentId}`, { token })).status).toBe(
        200,
      );
      await console.locator('#logout').click();
      await expectUi(console.locator('#login')).toBeVisible();
      expect((await call(engine.app, 'GET', `/api/v1/agents/${agentId}`, { token })).status).toBe(
        401,
      );
    } finally {
      await context.close();
    }
  });

  it('when an admin deactivates the agent while its console is open, then the console goes back to the login form, and logging in says the account is deactivated', async () => {
    const { agentId, tenant } = await desk();
    const context = await browser.newContext();
    try {
      const console = await logIn(context, engine, '/console/', tenant.tenantId, agentId);
      await expectUi(console.locator('#connection')).toHaveText('connected');
      await asAdmin(engine, tenant, 'POST', `/api/v1/agents/${agentId}/deactivate`, undefined);
      const form = console.locator('#login');
      await expectUi(form).toBeVisible();
      await form.locator('[name=agentId]').fill(agentId);
      await form.locator('[name=password]').fill(staffPassword);
      await form.locator('button[type=submit]').click();
      await expectUi(form.locator('.form-error')).toContainText('deactivated');
    } finally {
      await context.close();
    }
  });
});
