// The order details in the customer panel: what the shop's own order
// system says about the order (or the orders around the product) the chat
// was opened from, asked through the engine (GET
// /api/v1/sessions/:id/order-context, docs/order-lookup.md) when the agent
// opens the chat. A shop without an order lookup hook shows nothing; a
// slow or failing order system shows "order details unavailable" with the
// reason, and the agent may ask again.
import { byId, clock, el, show } from '/shared/dom.js';

/**
 * @typedef {{ carrier?: string, number: string, url?: string }} Tracking
 * @typedef {{ sku: string, title: string, quantity: number, price: number, currency: string, imageUrl?: string, status: string, tracking?: Tracking }} OrderLine
 * @typedef {{ ref: string, status?: string, placedAt?: string, url?: string, lines: OrderLine[] }} Order
 * @typedef {{ status: 'available', orders: Order[], fetchedAt: string, cached: boolean }
 *   | { status: 'not_configured' }
 *   | { status: 'unavailable', reason: string, message: string }} OrderContext
 * @param {{
 *   api: (method: string, path: string, body?: unknown) => Promise<unknown>,
 *   t: (key: string, values?: Record<string, string | number>) => string,
 *   lang: () => string,
 * }} deps
 */
export function orderPanel({ api, t, lang }) {
  const ui = {
    panel: byId('op'),
    status: byId('op-status'),
    orders: byId('op-orders'),
    refresh: /** @type {HTMLButtonElement} */ (byId('op-refresh')),
  };
  /** The session shown; a late answer for another one is dropped. @type {string | undefined} */
  let current;

  /** @param {number} price @param {string} currency */
  const money = (price, currency) => {
    try {
      return new Intl.NumberFormat(lang(), { style: 'currency', currency }).format(price);
    } catch {
      return `${price} ${currency}`;
    }
  };

  /** @param {string} sessionId @param {boolean} [refresh] */
  async function open(sessionId, refresh = false) {
    current = sessionId;
    ui.panel.dataset.state = 'loading';
    ui.status.textContent = t('orderLoading');
    ui.orders.replaceChildren();
    show(ui.refresh, false);
    /** @type {OrderContext} */
    let context;
    try {
      context = /** @type {OrderContext} */ (
        await api(
          'GET',
          `/api/v1/sessions/${sessionId}/order-context${refresh ? '?refresh=true' : ''}`,
        )
      );
    } catch (error) {
      if (current !== sessionId) return;
      context = {
        status: 'unavailable',
        reason: 'error',
        message: /** @type {Error} */ (error).message,
      };
    }
    if (current !== sessionId) return;
    draw(context);
  }

  /** @param {OrderContext} context */
  function draw(context) {
    ui.panel.dataset.state = context.status;
    show(ui.panel, context.status !== 'not_configured');
    if (context.status === 'not_configured') return;
    show(ui.refresh, true);
    if (context.status === 'unavailable') {
      ui.panel.dataset.reason = context.reason;
      const known = t(`orderReason_${context.reason}`);
      const reason = known.startsWith('orderReason_') ? context.message : known;
      ui.status.textContent = t('orderUnavailable', { reason });
      ui.status.title = context.message;
      return;
    }
    delete ui.panel.dataset.reason;
    ui.status.title = '';
    ui.status.textContent =
      context.orders.length === 0
        ? t('orderNone')
        : t('orderCached', { time: clock(context.fetchedAt, lang()) });
    ui.orders.replaceChildren(...context.orders.map(orderBlock));
  }

  /** Text only: every title, status and ref comes from the shop's system. @param {Order} order */
  function orderBlock(order) {
    const title = t('orderTitle', { ref: order.ref });
    const head = el('div', { class: 'order__head' }, [
      order.url
        ? el('a', { text: title, attrs: { href: order.url, target: '_blank', rel: 'noopener' } })
        : el('strong', { text: title }),
      ...(order.status ? [el('span', { class: 'order__status', text: order.status })] : []),
    ]);
    return el('section', { class: 'order', attrs: { 'data-order-ref': order.ref } }, [
      head,
      el('ul', { class: 'order-lines' }, order.lines.map(lineItem)),
    ]);
  }

  /** @param {OrderLine} line */
  function lineItem(line) {
    const picture = line.imageUrl
      ? [el('img', { class: 'order-line__image', attrs: { src: line.imageUrl, alt: '' } })]
      : [];
    const tracking = line.tracking
      ? [
          line.tracking.url
            ? el('a', {
                class: 'order-line__tracking',
                text: [line.tracking.carrier, t('orderTracking', { number: line.tracking.number })]
                  .filter(Boolean)
                  .join(' '),
                attrs: { href: line.tracking.url, target: '_blank', rel: 'noopener' },
              })
            : el('span', {
                class: 'order-line__tracking',
                text: [line.tracking.carrier, t('orderTracking', { number: line.tracking.number })]
                  .filter(Boolean)
                  .join(' '),
              }),
        ]
      : [];
    return el('li', { class: 'order-line', attrs: { 'data-sku': line.sku } }, [
      ...picture,
      el('div', { class: 'order-line__body' }, [
        el('span', { class: 'order-line__title', text: line.title }),
        el('span', { class: 'order-line__sku muted', text: line.sku }),
        el('span', {
          class: 'order-line__price',
          text: t('orderQuantity', {
            quantity: line.quantity,
            price: money(line.price, line.currency),
          }),
        }),
        el('span', { class: 'order-line__status', text: line.status }),
        ...tracking,
      ]),
    ]);
  }

  ui.refresh.addEventListener('click', () => {
    if (current) void open(current, true);
  });

  return {
    open: (/** @type {string} */ sessionId) => open(sessionId),
    close() {
      current = undefined;
      show(ui.panel, false);
    },
  };
}
