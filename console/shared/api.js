// Calls the engine's public HTTP API. Errors carry the API's own message
// (`{ error: { code, message } }`), which names the bad field.

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {{ token?: string, body?: unknown }} [options]
 * @returns {Promise<unknown>} the parsed body: callers name its shape (see route-views.js)
 */
export async function callApi(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'http', error.message ?? response.statusText);
  }
  return body;
}

/** A fresh client message id: resending with it is always safe. */
export function clientMsgId() {
  return crypto.randomUUID();
}
