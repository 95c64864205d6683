// An earlier chat of the customer, opened from the customer panel's list:
// its messages read-only in a dialog (GET
// /api/v1/customers/:visitorId/sessions/:sessionId/messages, which lets an
// agent read the ended chats of a customer they serve, whoever served them).
import { byId, show } from '/shared/dom.js';
import { renderMessage } from '/shared/render-message.js';

/** Messages shown: an earlier chat is read for context, not paged through. */
const shown = 200;

/**
 * @typedef {import('../../domain/socket-events').MessagePage} MessagePage
 * @param {{
 *   api: (method: string, path: string, body?: unknown) => Promise<unknown>,
 *   t: (key: string, values?: Record<string, string | number>) => string,
 *   lang: () => string,
 * }} deps
 */
export function earlierChat({ api, t, lang }) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('earlier-dialog'));
  const title = byId('ec-title');
  const list = byId('ec-messages');
  const more = byId('ec-more');
  const error = /** @type {HTMLElement} */ (dialog.querySelector('.form-error'));

  /** @param {string} visitorId @param {string} sessionId @param {string} heading */
  async function open(visitorId, sessionId, heading) {
    title.textContent = heading;
    list.replaceChildren();
    error.textContent = '';
    show(more, false);
    dialog.dataset.sessionId = sessionId;
    if (!dialog.open) dialog.showModal();
    try {
      const page = /** @type {MessagePage} */ (
        await api(
          'GET',
          `/api/v1/customers/${encodeURIComponent(visitorId)}/sessions/${sessionId}/messages?limit=${shown}`,
        )
      );
      if (dialog.dataset.sessionId !== sessionId) return;
      list.replaceChildren(
        ...page.messages.map((message) => {
          const type = message.sender.type;
          const who =
            type === 'visitor'
              ? t('visitor')
              : type === 'agent'
                ? t('agent', { id: message.sender.id ?? '' })
                : t('robot');
          return renderMessage(message, { mine: type === 'agent', who, lang: lang() });
        }),
      );
      show(more, page.hasMore);
    } catch (caught) {
      error.textContent = /** @type {Error} */ (caught).message;
    }
  }

  return { open };
}
