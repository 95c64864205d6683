// The customer panel beside the chat: who the customer is (their stored
// profile: name — or the name they gave —, contact, attributes, verified or
// anonymous), where the chat was opened from, the order details from the
// shop's system (order-panel.js), the chat's and the customer's tags
// (agents add and remove the manual ones), the customer's earlier chats
// (read-only, earlier-chat.js), a ticket made from the chat
// (ticket-from-chat.js), and — for a chat that has ended — proactive
// outreach (主动触达), which the API allows within 3 days of the customer's
// last consultation and otherwise refuses with its reason, shown as is.
import { byId, clock, el, show } from '/shared/dom.js';
import { earlierChat } from './earlier-chat.js';
import { orderPanel } from './order-panel.js';
import { ticketFromChat } from './ticket-from-chat.js';

/**
 * @typedef {import('/shared/route-views.js').SessionView} SessionView
 * @typedef {{ sessionId: string, visitorId: string, entry: { type: string, ref?: string }, ended: boolean }} PanelSession
 * @typedef {{ tagId: string, name: string, target: 'customer' | 'session', kind: string }} Tag
 * @typedef {{ visitorId: string, identity: 'verified' | 'anonymous', name?: string, givenName?: string, email?: string, phone?: string, attributes?: Record<string, string | number | boolean> }} Profile
 * @param {{
 *   api: (method: string, path: string, body?: unknown) => Promise<unknown>,
 *   t: (key: string, values?: Record<string, string | number>) => string,
 *   lang: () => string,
 * }} deps
 */
export function customerPanel({ api, t, lang }) {
  const ui = {
    panel: byId('customer'),
    visitor: byId('cp-visitor'),
    identity: byId('cp-identity'),
    name: byId('cp-name'),
    contact: byId('cp-contact'),
    attributes: byId('cp-attributes'),
    entry: byId('cp-entry'),
    channel: byId('cp-channel'),
    started: byId('cp-started'),
    sessionTags: byId('cp-session-tags'),
    customerTags: byId('cp-customer-tags'),
    addSessionTag: /** @type {HTMLSelectElement} */ (byId('cp-session-tag-add')),
    addCustomerTag: /** @type {HTMLSelectElement} */ (byId('cp-customer-tag-add')),
    tagError: byId('cp-tag-error'),
    history: byId('cp-history'),
    historyEmpty: byId('cp-history-empty'),
    outreach: byId('cp-outreach'),
    outreachStatus: byId('cp-outreach-status'),
    outreachForm: /** @type {HTMLFormElement} */ (byId('cp-outreach-form')),
  };
  const orders = orderPanel({ api, t, lang });
  const ticket = ticketFromChat({ t });
  const earlierChats = earlierChat({ api, t, lang });
  /** @type {PanelSession | undefined} */
  let current;
  /** @type {Map<string, Tag>} */
  let catalogue = new Map();
  const applied = { session: /** @type {string[]} */ ([]), customer: /** @type {string[]} */ ([]) };

  const dateTime = (/** @type {string} */ iso) =>
    `${new Date(iso).toLocaleDateString(lang())} ${clock(iso, lang())}`;
  const entryText = (/** @type {{ type: string, ref?: string }} */ entry) =>
    t(`entry_${entry.type}`, { ref: entry.ref ?? '' }).trim();
  const tagName = (/** @type {string} */ id) => catalogue.get(id)?.name ?? id;

  /** @param {PanelSession} session */
  async function open(session) {
    current = session;
    show(ui.panel, true);
    ui.visitor.textContent = session.visitorId;
    ui.identity.textContent = '';
    ui.name.textContent = '';
    ui.contact.textContent = '';
    ui.attributes.replaceChildren();
    show(ui.attributes, false);
    ui.entry.textContent = entryText(session.entry);
    ui.entry.dataset.entryType = session.entry.type;
    ui.channel.textContent = '';
    ui.started.textContent = '';
    ui.tagError.textContent = '';
    applied.session = [];
    applied.customer = [];
    drawTags();
    ui.history.replaceChildren();
    show(ui.historyEmpty, false);
    show(ui.outreach, session.ended);
    resetOutreach();
    void orders.open(session.sessionId);
    ticket.open(session.sessionId);
    const still = () => current?.sessionId === session.sessionId;
    const visitor = encodeURIComponent(session.visitorId);
    const [detail, customerTags, history, tags, profile] = await Promise.allSettled([
      /** @type {Promise<SessionView>} */ (api('GET', `/api/v1/sessions/${session.sessionId}`)),
      /** @type {Promise<{ tags: string[] }>} */ (api('GET', `/api/v1/customers/${visitor}/tags`)),
      /** @type {Promise<{ items: SessionView[] }>} */ (
        api('GET', `/api/v1/customers/${visitor}/sessions?limit=11`)
      ),
      /** @type {Promise<{ items: Tag[] }>} */ (api('GET', '/api/v1/tags')),
      /** @type {Promise<Profile>} */ (api('GET', `/api/v1/customers/${visitor}`)),
    ]);
    if (!still()) return;
    if (tags.status === 'fulfilled') {
      catalogue = new Map(tags.value.items.map((tag) => [tag.tagId, tag]));
    }
    if (detail.status === 'fulfilled') {
      ui.channel.textContent = detail.value.channel;
      ui.started.textContent = dateTime(detail.value.startedAt);
      applied.session = detail.value.tags ?? [];
    }
    if (customerTags.status === 'fulfilled') applied.customer = customerTags.value.tags;
    if (profile.status === 'fulfilled') drawProfile(profile.value);
    drawTags();
    if (history.status === 'fulfilled') drawHistory(history.value.items);
    if (session.ended) void checkOutreach(session);
  }

  /** Text only: a profile's fields come from the merchant and are never markup. */
  function drawProfile(/** @type {Profile} */ profile) {
    ui.identity.textContent = t(`identity_${profile.identity}`);
    ui.name.textContent =
      profile.name ??
      (profile.givenName ? t('customerGivenName', { name: profile.givenName }) : '—');
    ui.contact.textContent = [profile.email, profile.phone].filter(Boolean).join(' · ') || '—';
    const attributes = Object.entries(profile.attributes ?? {});
    show(ui.attributes, attributes.length > 0);
    ui.attributes.replaceChildren(
      ...attributes.flatMap(([key, value]) => [
        el('dt', { text: key }),
        el('dd', { text: String(value), attrs: { 'data-attribute': key } }),
      ]),
    );
  }

  function close() {
    current = undefined;
    orders.close();
    show(ui.panel, false);
  }

  // ── tags ────────────────────────────────────────────────────────────────

  function drawTags() {
    for (const target of /** @type {const} */ (['session', 'customer'])) {
      const list = target === 'session' ? ui.sessionTags : ui.customerTags;
      const add = target === 'session' ? ui.addSessionTag : ui.addCustomerTag;
      list.replaceChildren(...applied[target].map((id) => chip(target, id)));
      const settable = [...catalogue.values()].filter(
        (tag) =>
          tag.target === target && tag.kind === 'manual' && !applied[target].includes(tag.tagId),
      );
      add.replaceChildren(
        el('option', { text: t('addTag'), attrs: { value: '' } }),
        ...settable.map((tag) => el('option', { text: tag.name, attrs: { value: tag.tagId } })),
      );
      add.disabled = settable.length === 0;
    }
  }

  /** @param {'session' | 'customer'} target @param {string} id */
  function chip(target, id) {
    const removable = catalogue.get(id)?.kind === 'manual';
    const children = [el('span', { text: tagName(id) })];
    if (removable) {
      children.push(
        el('button', {
          class: 'tag__remove',
          text: '×',
          attrs: { type: 'button', 'aria-label': t('removeTag', { name: tagName(id) }) },
          on: { click: () => void setTag(target, id, false) },
        }),
      );
    }
    return el('li', { class: 'tag', attrs: { 'data-tag-id': id } }, children);
  }

  /** @param {'session' | 'customer'} target @param {string} tagId @param {boolean} on */
  async function setTag(target, tagId, on) {
    if (!current) return;
    const session = current;
    ui.tagError.textContent = '';
    const path =
      target === 'session'
        ? `/api/v1/sessions/${session.sessionId}/tags/${encodeURIComponent(tagId)}`
        : `/api/v1/customers/${encodeURIComponent(session.visitorId)}/tags/${encodeURIComponent(tagId)}`;
    try {
      const answer = /** @type {{ tags: string[] }} */ (await api(on ? 'PUT' : 'DELETE', path));
      if (current?.sessionId !== session.sessionId) return;
      applied[target] = answer.tags;
    } catch (error) {
      ui.tagError.textContent = /** @type {Error} */ (error).message;
    }
    drawTags();
  }

  for (const [select, target] of /** @type {const} */ ([
    [ui.addSessionTag, 'session'],
    [ui.addCustomerTag, 'customer'],
  ])) {
    select.addEventListener('change', () => {
      const tagId = select.value;
      if (tagId) void setTag(target, tagId, true);
    });
  }

  // ── previous chats ──────────────────────────────────────────────────────

  /** @param {SessionView[]} items sessions of the customer, newest first */
  function drawHistory(items) {
    const earlier = items.filter((s) => s.sessionId !== current?.sessionId).slice(0, 10);
    show(ui.historyEmpty, earlier.length === 0);
    ui.history.replaceChildren(
      ...earlier.map((s) => {
        const outcome = s.rating
          ? t('ratedScore', { score: s.rating.score })
          : s.closeReason
            ? t(`close_${s.closeReason}`)
            : t(`phase_${s.phase}`);
        const ended = s.phase === 'closed' || s.phase === 'rated';
        const visitorId = current?.visitorId ?? s.visitorId;
        const read = ended
          ? [
              el('button', {
                class: 'secondary history__read',
                text: t('readEarlier'),
                attrs: { type: 'button' },
                on: {
                  click: () =>
                    void earlierChats.open(
                      visitorId,
                      s.sessionId,
                      t('earlierTitle', { date: dateTime(s.startedAt) }),
                    ),
                },
              }),
            ]
          : [];
        return el('li', { attrs: { 'data-session-id': s.sessionId } }, [
          el('strong', { text: dateTime(s.startedAt) }),
          el('span', { text: entryText(s.entry) }),
          el('span', {
            class: 'muted',
            text: [s.agentId ? t('agent', { id: s.agentId }) : '', outcome]
              .filter(Boolean)
              .join(' · '),
          }),
          ...read,
        ]);
      }),
    );
  }

  // ── outreach ────────────────────────────────────────────────────────────

  function resetOutreach() {
    ui.outreachStatus.textContent = '';
    ui.outreachForm.reset();
    for (const selector of ['.form-error', '.form-ok']) {
      /** @type {HTMLElement} */ (ui.outreachForm.querySelector(selector)).textContent = '';
    }
  }

  /**
   * The 3-day rule's refusals (403 window_passed / no_consultation) in the
   * page's language; anything else as the API says it.
   * @param {unknown} error
   */
  function refusal(error) {
    const { code, message } = /** @type {{ code?: string, message: string }} */ (error);
    return code === 'window_passed' || code === 'no_consultation' ? t(`outreach_${code}`) : message;
  }

  /** What the rule says now: shown before the agent writes anything. @param {PanelSession} session */
  async function checkOutreach(session) {
    try {
      const answer = /** @type {{ allowedUntil: string }} */ (
        await api('GET', `/api/v1/customers/${encodeURIComponent(session.visitorId)}/outreach`)
      );
      if (current?.sessionId !== session.sessionId) return;
      ui.outreachStatus.textContent = t('outreachAllowed', {
        until: dateTime(answer.allowedUntil),
      });
    } catch (error) {
      if (current?.sessionId !== session.sessionId) return;
      ui.outreachStatus.textContent = refusal(error);
    }
  }

  ui.outreachForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!current) return;
    const session = current;
    const error = /** @type {HTMLElement} */ (ui.outreachForm.querySelector('.form-error'));
    const done = /** @type {HTMLElement} */ (ui.outreachForm.querySelector('.form-ok'));
    error.textContent = '';
    done.textContent = '';
    const text = String(new FormData(ui.outreachForm).get('text') ?? '').trim();
    try {
      await api('POST', `/api/v1/customers/${encodeURIComponent(session.visitorId)}/outreach`, {
        text,
      });
      ui.outreachForm.reset();
      done.textContent = t('outreachSaved');
    } catch (caught) {
      error.textContent = refusal(caught);
    }
  });

  return {
    open,
    close,
    /** Redraws what depends on the language. */
    redraw() {
      if (current) void open(current);
    },
  };
}
