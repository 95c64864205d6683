import { callApi } from './api.js';

/**
 * Staff login for the console and the monitor: tenant, agent id, password →
 * an agent token, kept in this tab only (sessionStorage) until it expires.
 *
 * @param {HTMLFormElement} form with inputs tenantId, agentId, password and a .form-error
 * @param {string} storageKey
 * @returns {Promise<{ tenantId: string, agentId: string, role: 'agent' | 'supervisor', token: string, expiresAt: string }>}
 */
export function staffLogin(form, storageKey) {
  const saved = sessionStorage.getItem(storageKey);
  if (saved) {
    const login = JSON.parse(saved);
    if (Date.parse(login.expiresAt) > Date.now() + 60_000) return Promise.resolve(login);
  }
  form.hidden = false;
  const tenant = new URLSearchParams(location.search).get('tenant');
  const tenantInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('tenantId'));
  if (tenant && !tenantInput.value) tenantInput.value = tenant;
  return new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'));
      error.textContent = '';
      const fields = new FormData(form);
      const body = {
        tenantId: String(fields.get('tenantId') ?? '').trim(),
        agentId: String(fields.get('agentId') ?? '').trim(),
        password: String(fields.get('password') ?? ''),
      };
      try {
        const issued =
          /** @type {{ token: string, agentId: string, role: 'agent' | 'supervisor', expiresAt: string }} */ (
            await callApi('POST', '/api/v1/auth/agent-login', { body })
          );
        const login = { tenantId: body.tenantId, ...issued };
        sessionStorage.setItem(storageKey, JSON.stringify(login));
        form.hidden = true;
        resolve(login);
      } catch (caught) {
        error.textContent = /** @type {Error} */ (caught).message;
      }
    });
  });
}

/**
 * Logs out: the server revokes the token (on every node, and disconnects the
 * sockets opened with it), then this tab forgets it. A token the server
 * already refuses (revoked, expired) is simply forgotten.
 *
 * @param {string} storageKey
 */
export async function logout(storageKey) {
  const saved = sessionStorage.getItem(storageKey);
  sessionStorage.removeItem(storageKey);
  const token = saved ? /** @type {{ token?: string }} */ (JSON.parse(saved)).token : undefined;
  if (token) await callApi('POST', '/api/v1/auth/logout', { token }).catch(() => undefined);
  location.reload();
}
