import type { Browser } from 'playwright-core';
import { agentSession } from '../../api/views';
import { collections } from '../../stores/collections';
import { call, callOk } from '../support/api-client';
import { launchChromium, screenshotPath } from '../support/browser';
import { asAdmin, consoleTenant, staffPassword } from '../support/console-tenant';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { expectUi } from './expect-ui';
import { logIn } from './pages';
import { apiShopper } from './shoppers';

/**
 * The supervisor monitor steering the desk in Chromium: an SLA alert shows
 * as it happens, a queued session is given to a chosen agent from the
 * queue, and the supervisor joins a chat and writes in it.
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

async function online(tenantId: string, agentId: string): Promise<void> {
  const login = await call(engine.app, 'POST', '/api/v1/auth/agent-login', {
    body: { tenantId, agentId, password: staffPassword },
  });
  const { token } = agentSession.parse(login.body);
  await callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}/status`, {
    token,
    body: { status: 'online' },
  });
}

describe('the supervisor monitor’s actions, in Chromium', () => {
  it('when a supervisor assigns a queued session from the monitor, then the chosen agent gets it, and SLA alerts and a joined chat show there', async () => {
    const lin = uniqueId('lin');
    const mei = uniqueId('mei');
    const boss = uniqueId('boss');
    const tenant = await consoleTenant(engine, {
      reserve: false,
      flow: { robot: { enabled: false }, timeouts: { firstResponseSlaMs: 5_000 } },
      staff: [
        { agentId: lin, role: 'agent', capacity: 1 },
        { agentId: boss, role: 'supervisor', capacity: 0 },
      ],
    });
    const { tenantId } = tenant;
    // Mei serves another group: the router never gives her a sales chat, the supervisor may.
    await asAdmin(engine, tenant, 'PUT', '/api/v1/groups/vip', { strategy: 'least-load' });
    await asAdmin(engine, tenant, 'PUT', `/api/v1/agents/${mei}`, {
      role: 'agent',
      capacity: 2,
      groups: ['vip'],
      password: staffPassword,
    });
    await online(tenantId, lin);
    await online(tenantId, mei);
    const context = await browser.newContext();
    try {
      const monitor = await logIn(context, engine, '/monitor/', tenantId, boss);
      await expectUi(monitor.locator('#updated')).toContainText('Updated');

      // Lin takes the first shopper and does not answer: the SLA alert shows as it happens.
      await apiShopper(engine, tenantId, { type: 'shop' });
      await expectUi(monitor.locator('#alerts li').first(), 20_000).toContainText(
        'first-response SLA',
      );

      // The second waits in the queue, with Lin full.
      const second = await apiShopper(engine, tenantId, { type: 'shop' });
      const line = monitor.locator(`#sessions tr[data-session-id="${second.sessionId}"]`);
      const phase = (name: string) =>
        monitor.locator(
          `#sessions tr[data-session-id="${second.sessionId}"][data-phase="${name}"]`,
        );
      await expectUi(phase('queued')).toHaveCount(1);
      await expectUi(monitor.locator('#groups tr[data-group-id="sales"] td').nth(1)).toHaveText(
        '1',
      );
      await line.locator('select.assign-agent').selectOption(mei);
      await monitor.screenshot({ path: await screenshotPath('monitor-queue') });
      await line.locator('button.assign-button').click();
      await expectUi(phase('assigned'), 10_000).toHaveCount(1);
      await expectUi(line).toContainText(mei);
      await expectUi(monitor.locator('#groups tr[data-group-id="sales"] td').nth(1)).toHaveText(
        '0',
      );
      await expectUi(monitor.locator(`#agents tr[data-agent-id="${mei}"]`)).toContainText('1 / 2');
      await monitor.screenshot({ path: await screenshotPath('monitor-assign') });

      // The supervisor joins the chat and writes in it; the shopper's transcript has both.
      await line.click();
      await monitor.locator('#join').click();
      await expectUi(monitor.locator('#compose')).toBeVisible();
      await monitor.locator('#compose-text').fill('A supervisor is here to help');
      await monitor.locator('#compose button[type=submit]').click();
      await expectUi(monitor.locator('#watch-messages')).toContainText(
        'A supervisor is here to help',
      );
      await expectUi(monitor.locator('#watch-messages')).toContainText(
        'A supervisor has joined the chat.',
      );
      await monitor.screenshot({ path: await screenshotPath('monitor-joined') });
      await eventually(async () => {
        const texts = await collections(engine.db)
          .messages.find({ tenantId, sessionId: second.sessionId })
          .map((m) => m.text)
          .toArray();
        return texts.includes('A supervisor is here to help') ? true : undefined;
      });
    } finally {
      await context.close();
    }
  });
});
