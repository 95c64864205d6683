import type { App } from '../../api/app';
import { createdTenant } from '../../api/views';
import { uniqueId } from './stack';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** One HTTP call to the engine, as an integrator would make it. */
export async function call(
  app: App,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A call a scenario needs to succeed: anything but 2xx fails the test, naming the answer. */
export async function callOk(
  app: App,
  method: string,
  path: string,
  options: Parameters<typeof call>[3] = {},
): Promise<unknown> {
  const answer = await call(app, method, path, options);
  if (answer.status >= 300) {
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** The operator token the tenant-API suites start their engine with. */
export const testOperatorToken = 'operator-token-for-tests-0123456789abcdef';

/**
 * A fresh tenant made through the operator route, as a platform operator
 * would, with the admin key it answers once. Fails loudly if creation fails.
 */
export async function operatorTenant(
  app: App,
  extra: { flow?: unknown } = {},
): Promise<{ tenantId: string; adminKey: string }> {
  const tenantId = uniqueId('tenant');
  const created = await call(app, 'POST', '/api/v1/tenants', {
    token: testOperatorToken,
    body: { tenantId, name: 'Shop', ...extra },
  });
  if (created.status !== 201) {
    throw new Error(`tenant creation answered ${created.status}: ${JSON.stringify(created.body)}`);
  }
  return { tenantId, adminKey: createdTenant.parse(created.body).adminKey.key };
}

/**
 * Makes the tenant's presence manual, through its admin API: for tests that
 * set agents online with no console socket (or connect one only later), which
 * a tenant following connections would never assign to.
 */
export async function useManualPresence(app: App, adminKey: string): Promise<void> {
  await callOk(app, 'PUT', '/api/v1/presence', {
    token: adminKey,
    body: { mode: 'manual', disconnectGraceSeconds: 60 },
  });
}
