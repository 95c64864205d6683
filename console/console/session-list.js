// The agent's session list as the server pushes it: offers with their
// reservation countdown (accept or decline), active chats with unread
// counts, and the recently closed chats (this page's own closes merged with
// the agent's ended chats from the sessions API, so the list survives a
// reload). New offers ring; the header shows the agent's load.
import { clock, el } from '/shared/dom.js';
import { showStatus } from './presence-status.js';
import {
  api,
  closed,
  current,
  i18n,
  known,
  me,
  offerDeadlines,
  sessions,
  setKnown,
  t,
  ui,
} from './state.js';

/**
 * @typedef {import('../../domain/socket-events').SessionSummary} SessionSummary
 * @typedef {import('./state.js').EndedChat} EndedChat
 * @typedef {import('/shared/route-views.js').SessionView} SessionView
 * @typedef {import('/shared/route-views.js').SessionState} SessionState
 * @typedef {import('/shared/route-views.js').TransferTargets} TransferTargets
 */

/**
 * @param {{
 *   alerts: ReturnType<typeof import('./offer-alerts.js').offerAlerts>,
 *   openChat: (sessionId: string) => void,
 *   openEnded: (chat: EndedChat) => void,
 * }} deps
 */
export function sessionList({ alerts, openChat, openEnded }) {
  /** @param {SessionSummary[]} list */
  function replaceList(list) {
    for (const id of sessions.keys()) {
      if (!list.some((s) => s.sessionId === id)) remember(sessions.get(id));
    }
    sessions.clear();
    for (const summary of list) sessions.set(summary.sessionId, summary);
    alertNew(list);
    drawList();
    void refreshLoad();
  }

  /**
   * A session this page has not seen yet is a new offer (or a chat assigned
   * straight away): beep and notify. The first list after login only fills
   * `known`, so a reload does not ring for chats already there.
   * @param {SessionSummary[]} list
   */
  function alertNew(list) {
    const first = known === undefined;
    const seen = known ?? setKnown(new Set());
    for (const s of list) {
      if (seen.has(s.sessionId)) continue;
      seen.add(s.sessionId);
      if (first) continue;
      const title = s.phase === 'reserved' ? t('newOffer') : t('newChat');
      const note = s.transferNote && t('transferNoteSays', s.transferNote);
      alerts.alert(title, note ? `${describe(s)}\n${note}` : describe(s), s.sessionId);
    }
  }

  /** @param {SessionSummary | undefined} summary */
  function remember(summary) {
    if (!summary) return;
    sessions.delete(summary.sessionId);
    known?.delete(summary.sessionId);
    closed.splice(
      0,
      closed.length,
      { ...summary, closedAt: new Date().toISOString() },
      ...closed.filter((c) => c.sessionId !== summary.sessionId),
    );
    closed.splice(10);
  }

  /**
   * The agent's own ended chats from the sessions API, so the recently closed
   * list survives a reload; merged with what closed while the page was open.
   */
  async function loadClosed() {
    try {
      const pages = /** @type {{ items: SessionView[] }[]} */ (
        await Promise.all(
          ['closed', 'rated'].map((phase) =>
            api('GET', `/api/v1/sessions?phase=${phase}&limit=10`),
          ),
        )
      );
      const fetched = pages.flatMap((page) => page.items);
      const merged = [
        ...closed,
        ...fetched.filter((f) => !closed.some((c) => c.sessionId === f.sessionId)),
      ];
      merged.sort(
        (a, b) =>
          Date.parse(b.closedAt ?? b.startedAt ?? '') - Date.parse(a.closedAt ?? a.startedAt ?? ''),
      );
      closed.splice(0, closed.length, ...merged.slice(0, 10));
      drawList();
    } catch {
      // The list of this page's own closes still shows.
    }
  }

  function drawList() {
    const offers = [...sessions.values()].filter((s) => s.phase === 'reserved');
    const active = [...sessions.values()].filter((s) => s.phase !== 'reserved');
    ui.offers.replaceChildren(...offers.map(offerItem));
    ui.active.replaceChildren(...active.map(activeItem));
    ui.closed.replaceChildren(...closed.map(closedItem));
    for (const offer of offers) if (!offerDeadlines.has(offer.sessionId)) void readDeadline(offer);
  }

  /** @param {SessionSummary} s */
  function offerItem(s) {
    const countdown = el('span', { class: 'countdown', attrs: { 'data-countdown': s.sessionId } });
    tickCountdown(countdown, s.sessionId);
    return el('li', { attrs: { 'data-session-id': s.sessionId, 'data-phase': 'reserved' } }, [
      el('div', { class: 'summary' }, [
        el('strong', { text: describe(s) }),
        ...(s.transferNote
          ? [el('span', { class: 'offer-note', text: t('transferNoteSays', s.transferNote) })]
          : []),
      ]),
      countdown,
      el('button', {
        class: 'accept',
        text: t('accept'),
        attrs: { type: 'button' },
        on: { click: () => void answerOffer(s.sessionId, 'accept') },
      }),
      el('button', {
        class: 'secondary decline',
        text: t('decline'),
        attrs: { type: 'button' },
        on: { click: () => void answerOffer(s.sessionId, 'decline') },
      }),
    ]);
  }

  /** @param {SessionSummary} s */
  function activeItem(s) {
    const children = [
      el('div', { class: 'summary' }, [
        el('strong', { text: describe(s) }),
        el('span', { text: s.lastMessage?.text ?? '' }),
      ]),
    ];
    if (s.unread > 0) children.push(el('span', { class: 'badge', text: String(s.unread) }));
    return el(
      'li',
      {
        attrs: {
          'data-session-id': s.sessionId,
          'data-phase': s.phase,
          'aria-current': String(current?.sessionId === s.sessionId),
        },
        on: { click: () => openChat(s.sessionId) },
      },
      children,
    );
  }

  /** @param {EndedChat} s */
  function closedItem(s) {
    return el(
      'li',
      {
        attrs: {
          'data-session-id': s.sessionId,
          'data-phase': 'closed',
          'aria-current': String(current?.sessionId === s.sessionId),
        },
        on: { click: () => void openEnded(s) },
      },
      [
        el('div', { class: 'summary' }, [
          el('strong', { text: describe(s) }),
          el('span', {
            text: s.closedAt ? `${t('readOnly')} · ${when(s.closedAt)}` : t('readOnly'),
          }),
        ]),
      ],
    );
  }

  /** @param {SessionSummary} s */
  async function readDeadline(s) {
    try {
      const state = /** @type {SessionState} */ (
        await api('GET', `/api/v1/sessions/${s.sessionId}/state`)
      );
      if (state.offerExpiresAt) offerDeadlines.set(s.sessionId, Date.parse(state.offerExpiresAt));
    } catch {
      // The offer went away meanwhile; the next list push says so.
    }
  }

  /** @param {HTMLElement} node @param {string} sessionId */
  function tickCountdown(node, sessionId) {
    const deadline = offerDeadlines.get(sessionId);
    node.textContent =
      deadline === undefined
        ? ''
        : t('expiresIn', { seconds: Math.max(0, Math.ceil((deadline - Date.now()) / 1000)) });
  }

  /** @param {string} sessionId @param {'accept' | 'decline'} verb */
  async function answerOffer(sessionId, verb) {
    try {
      await api('POST', `/api/v1/sessions/${sessionId}/offer/${verb}`);
      offerDeadlines.delete(sessionId);
      if (verb === 'accept') openChat(sessionId);
    } catch (error) {
      ui.connection.textContent = /** @type {Error} */ (error).message;
    }
  }

  async function refreshLoad() {
    try {
      const { agents } = /** @type {TransferTargets} */ (
        await api('GET', '/api/v1/transfer-targets')
      );
      const self = agents.find((a) => a.agentId === me.agentId);
      if (!self) return;
      ui.load.textContent = t('load', { load: self.load, capacity: self.capacity });
      ui.load.dataset.load = String(self.load);
      showStatus({
        status: self.status,
        ...(self.statusReason ? { reason: self.statusReason } : {}),
      });
    } catch {
      // Shown again on the next push.
    }
  }

  /** The offers' countdowns: a display clock only, the workflow owns the deadline. */
  function tickCountdowns() {
    for (const node of document.querySelectorAll('[data-countdown]')) {
      const countdown = /** @type {HTMLElement} */ (node);
      tickCountdown(countdown, countdown.dataset.countdown ?? '');
    }
  }

  return { replaceList, alertNew, remember, loadClosed, drawList, refreshLoad, tickCountdowns };
}

/** @param {Pick<SessionSummary, 'visitorId' | 'entry'>} s */
export function describe(s) {
  return `${s.visitorId} · ${t(`entry_${s.entry.type}`, { ref: s.entry.ref ?? '' })}`;
}

/** A clock time today, a date and time before. @param {string} iso */
function when(iso) {
  const sameDay = new Date(iso).toDateString() === new Date().toDateString();
  const time = clock(iso, i18n.lang);
  return sameDay ? time : `${new Date(iso).toLocaleDateString(i18n.lang)} ${time}`;
}
