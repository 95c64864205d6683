// CSV downloads of the report routes. The routes want the supervisor's
// token in a header, which a plain link cannot send: the page fetches the
// CSV as a blob and saves it through a temporary object URL.
import { ApiError } from '/shared/api.js';

/**
 * @param {string} path the route with its query
 * @param {string} token
 * @param {string} filename
 */
export async function downloadCsv(path, token, filename) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const error = body?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'http', error.message ?? response.statusText);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the blob to the download.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
