// The agent console: presence, the live session list pushed by the server
// (offers with their reservation countdown, active sessions with unread
// counts, recently closed), one chat at a time kept exact by seq and paged
// back through its history, quick replies, links and cards, the customer
// panel (entry, tags, earlier chats, outreach), transfer and close, alerts
// on new offers, and the leave-message tickets. Only public HTTP routes and
// socket events.
import { io } from '/socket.io/socket.io.esm.min.js';
import { ApiError, callApi, clientMsgId } from '/shared/api.js';
import { byId, clock, el, show } from '/shared/dom.js';
import { bindLanguageSelect, createI18n } from '/shared/i18n.js';
import { logout, staffLogin } from '/shared/login.js';
import { followNetwork, messageStream, request } from '/shared/message-stream.js';
import { placeBySeq, renderMessage } from '/shared/render-message.js';
import { attachDialog } from './attach-dialog.js';
import { customerPanel } from './customer-panel.js';
import { earlierMessages } from './earlier-messages.js';
import { offerAlerts } from './offer-alerts.js';
import { quickReplyPicker } from './quick-replies.js';
import { texts } from './texts.js';

/**
 * @typedef {import('/shared/types.js').ChatMessage} ChatMessage
 * @typedef {import('/shared/types.js').MessagePage} MessagePage
 * @typedef {import('/shared/types.js').SessionSummary} SessionSummary
 * @typedef {import('/shared/types.js').SessionView} SessionView
 * @typedef {import('/shared/types.js').TransferTargets} TransferTargets
 * @typedef {import('/shared/types.js').Ticket} Ticket
 * @typedef {import('/shared/types.js').SessionState} SessionState
 * @typedef {{ sessionId: string, visitorId: string, entry: import('/shared/types.js').Entry, closedAt?: string, startedAt?: string }} EndedChat
 */

const storageKey = 'reception.console.login';
/** Messages per history page: the chat opens with the latest page. */
const pageSize = 30;
const i18n = createI18n(texts, 'reception.console.lang');
const { t } = i18n;

const ui = {
  app: byId('app'),
  me: byId('me'),
  presence: /** @type {HTMLSelectElement} */ (byId('presence')),
  load: byId('load'),
  connection: byId('connection'),
  offers: byId('offers'),
  active: byId('active'),
  closed: byId('closed'),
  chat: byId('chat'),
  empty: byId('empty'),
  chatTitle: byId('chat-title'),
  chatEntry: byId('chat-entry'),
  messages: byId('chat-messages'),
  chatActions: byId('chat-actions'),
  chatEnded: byId('chat-ended'),
  reply: /** @type {HTMLFormElement} */ (byId('reply')),
  replyText: /** @type {HTMLTextAreaElement} */ (byId('reply-text')),
  chatError: byId('chat-error'),
  dialog: /** @type {HTMLDialogElement} */ (byId('transfer-dialog')),
  sessionsView: byId('sessions-view'),
  ticketsView: byId('tickets-view'),
  tickets: byId('tickets'),
};

/** @type {{ tenantId: string, agentId: string, role: string, token: string }} */
let me;
/** @type {import('/shared/types.js').Socket} */
let socket;
/** The server's list, by session id. @type {Map<string, SessionSummary>} */
const sessions = new Map();
/** Sessions that left this agent's list (closed or transferred away), newest first. */
const closed = /** @type {EndedChat[]} */ ([]);
/** Offer deadlines (epoch ms) read from the session's state. @type {Map<string, number>} */
const offerDeadlines = new Map();
/**
 * The open chat; `stream` is set once its latest page is shown, `ended` for a
 * chat from the recently closed list (read-only, no live stream).
 * @type {{ sessionId: string, ended: boolean, stream?: ReturnType<typeof messageStream> } | undefined}
 */
let current;
/** Sessions already in the list, so only new ones alert; undefined until the first list. */
let known = /** @type {Set<string> | undefined} */ (undefined);

/** @param {string} method @param {string} path @param {unknown} [body] */
const api = (method, path, body) => callApi(method, path, { token: me.token, body });
const alerts = offerAlerts();
const panel = customerPanel({ api, t, lang: () => i18n.lang });
const quickReplies = quickReplyPicker({ api, t, composer: ui.replyText });
const attach = attachDialog({ send: sendBody });
const earlier = earlierMessages({
  list: ui.messages,
  button: /** @type {HTMLButtonElement} */ (byId('load-earlier')),
  fetchBefore: (sessionId, beforeSeq) =>
    /** @type {Promise<MessagePage>} */ (
      api('GET', `/api/v1/sessions/${sessionId}/messages?beforeSeq=${beforeSeq}&limit=${pageSize}`)
    ),
  render: (message) => renderFor(message),
  onError: (error) => (ui.chatError.textContent = error.message),
});

// ── session list ──────────────────────────────────────────────────────────

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
  known ??= new Set();
  for (const s of list) {
    if (known.has(s.sessionId)) continue;
    known.add(s.sessionId);
    if (first) continue;
    const title = s.phase === 'reserved' ? t('newOffer') : t('newChat');
    alerts.alert(title, describe(s), s.sessionId);
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
        ['closed', 'rated'].map((phase) => api('GET', `/api/v1/sessions?phase=${phase}&limit=10`)),
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

/** @param {Pick<SessionSummary, 'visitorId' | 'entry'>} s */
function describe(s) {
  return `${s.visitorId} · ${t(`entry_${s.entry.type}`, { ref: s.entry.ref ?? '' })}`;
}

/** @param {SessionSummary} s */
function offerItem(s) {
  const countdown = el('span', { class: 'countdown', attrs: { 'data-countdown': s.sessionId } });
  tickCountdown(countdown, s.sessionId);
  return el('li', { attrs: { 'data-session-id': s.sessionId, 'data-phase': 'reserved' } }, [
    el('div', { class: 'summary' }, [el('strong', { text: describe(s) })]),
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

/** A clock time today, a date and time before. @param {string} iso */
function when(iso) {
  const sameDay = new Date(iso).toDateString() === new Date().toDateString();
  const time = clock(iso, i18n.lang);
  return sameDay ? time : `${new Date(iso).toLocaleDateString(i18n.lang)} ${time}`;
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
        el('span', { text: s.closedAt ? `${t('readOnly')} · ${when(s.closedAt)}` : t('readOnly') }),
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
    ui.presence.value = self.status;
  } catch {
    // Shown again on the next push.
  }
}

// ── chat ──────────────────────────────────────────────────────────────────

/**
 * Opens a held chat: its latest page over HTTP (the list line knows its last
 * seq), then live messages and a resync from there; older pages on demand.
 * @param {string} sessionId
 */
async function openChat(sessionId) {
  if (current?.sessionId === sessionId) return;
  const summary = sessions.get(sessionId);
  /** @type {NonNullable<typeof current>} */
  const chat = { sessionId, ended: false };
  current = chat;
  drawChatHead(summary, false);
  if (summary) {
    void panel.open({
      sessionId,
      visitorId: summary.visitorId,
      entry: summary.entry,
      ended: false,
    });
  }
  const last = summary?.lastMessage?.seq;
  /** @type {MessagePage} */
  let page = { messages: [], hasMore: false };
  try {
    if (last) {
      page = /** @type {MessagePage} */ (
        await api(
          'GET',
          `/api/v1/sessions/${sessionId}/messages?beforeSeq=${last + 1}&limit=${pageSize}`,
        )
      );
    }
  } catch (error) {
    // Start from the first message instead: the resync below pages through all of it.
    ui.chatError.textContent = /** @type {Error} */ (error).message;
  }
  if (current !== chat) return;
  const oldest = page.messages[0]?.seq ?? 1;
  const stream = messageStream({
    startAfter: oldest - 1,
    sync: (afterSeq) =>
      /** @type {Promise<MessagePage>} */ (
        request(socket, 'message:sync', { sessionId, afterSeq, limit: 50 })
      ),
    deliver: (messages) => deliverTo(sessionId, /** @type {ChatMessage[]} */ (messages)),
    onError: (error) => (ui.chatError.textContent = error.message),
  });
  chat.stream = stream;
  earlier.reset(sessionId, oldest, page.hasMore);
  stream.accept(...page.messages);
  void stream.resync();
}

/**
 * A chat from the recently closed list: its messages read-only (the latest
 * page, older ones on demand) and the customer panel, with outreach. A chat
 * transferred away and ended by another agent is theirs to read.
 * @param {EndedChat} s
 */
async function openEnded(s) {
  // The same chat still open live (its removal not heard yet) switches to the ended view.
  if (current?.sessionId === s.sessionId && current.ended) return;
  /** @type {NonNullable<typeof current>} */
  const chat = { sessionId: s.sessionId, ended: true };
  current = chat;
  drawChatHead(s, true);
  void panel.open({ sessionId: s.sessionId, visitorId: s.visitorId, entry: s.entry, ended: true });
  try {
    // The largest seq there can be: the page ends at the chat's last message.
    const page = /** @type {MessagePage} */ (
      await api(
        'GET',
        `/api/v1/sessions/${s.sessionId}/messages?beforeSeq=${Number.MAX_SAFE_INTEGER}&limit=${pageSize}`,
      )
    );
    if (current !== chat) return;
    for (const message of page.messages) placeBySeq(ui.messages, renderFor(message));
    ui.messages.scrollTop = ui.messages.scrollHeight;
    earlier.reset(s.sessionId, page.messages[0]?.seq ?? 1, page.hasMore);
  } catch (error) {
    if (current !== chat) return;
    const forbidden = error instanceof ApiError && error.status === 403;
    ui.chatError.textContent = forbidden
      ? t('endedNotYours')
      : /** @type {Error} */ (error).message;
  }
}

/** @param {Pick<SessionSummary, 'visitorId' | 'entry'> | undefined} summary @param {boolean} ended */
function drawChatHead(summary, ended) {
  quickReplies.close();
  earlier.stop();
  ui.messages.replaceChildren();
  ui.chatError.textContent = '';
  ui.chatTitle.textContent = summary?.visitorId ?? current?.sessionId ?? '';
  ui.chatEntry.textContent = summary
    ? t(`entry_${summary.entry.type}`, { ref: summary.entry.ref ?? '' })
    : '';
  show(ui.chatActions, !ended);
  show(ui.reply, !ended);
  show(ui.chatEnded, ended);
  show(ui.chat, true);
  show(ui.empty, false);
  drawList();
}

/** @param {ChatMessage} message */
function renderFor(message) {
  const type = message.sender.type;
  const mine = type === 'agent' && message.sender.id === me.agentId;
  const who =
    type === 'visitor'
      ? t('visitor')
      : type === 'agent'
        ? mine
          ? t('you')
          : t('agent', { id: message.sender.id ?? '' })
        : t('robot');
  return renderMessage(message, { mine, who, lang: i18n.lang });
}

/** @param {string} sessionId @param {ChatMessage[]} messages */
function deliverTo(sessionId, messages) {
  if (current?.sessionId !== sessionId) return;
  // Follow new messages only when the agent is at the bottom (not reading older ones).
  const list = ui.messages;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  for (const message of messages) placeBySeq(list, renderFor(message));
  const mine = messages.some((m) => m.sender.type === 'agent' && m.sender.id === me.agentId);
  if (atBottom || mine) list.scrollTop = list.scrollHeight;
  const last = messages[messages.length - 1];
  const summary = sessions.get(sessionId);
  if (last && summary && summary.phase === 'assigned' && socket.connected) {
    socket.emit('message:read', { sessionId, seq: last.seq }, () => undefined);
  }
}

function closeChat() {
  current = undefined;
  quickReplies.close();
  earlier.stop();
  panel.close();
  show(ui.chat, false);
  show(ui.empty, true);
}

/**
 * Sends one message of any kind to the open chat, retried with the same
 * clientMsgId until stored: never lost, never stored twice. Rejects with the
 * server's reason (which names a bad field).
 * @param {Record<string, unknown>} body
 */
async function sendBody(body) {
  if (!current?.stream) throw new Error(t('noChat'));
  const { sessionId, stream } = current;
  const id = clientMsgId();
  for (let attempt = 0; ; attempt++) {
    try {
      const stored = /** @type {ChatMessage} */ (
        await request(socket, 'message:send', {
          sessionId,
          clientMsgId: id,
          ...body,
        })
      );
      stream.accept(stored);
      return stored;
    } catch (error) {
      if (attempt >= 4 || !/no answer/.test(/** @type {Error} */ (error).message)) throw error;
    }
  }
}

async function sendReply() {
  const text = ui.replyText.value.trim();
  if (!text || !current) return;
  ui.replyText.value = '';
  ui.chatError.textContent = '';
  try {
    await sendBody({ kind: 'text', text });
  } catch (error) {
    ui.chatError.textContent = /** @type {Error} */ (error).message;
  }
}

// ── transfer and close ────────────────────────────────────────────────────

async function openTransfer() {
  const chat = current;
  if (!chat) return;
  const { sessionId } = chat;
  const error = /** @type {HTMLElement} */ (ui.dialog.querySelector('.form-error'));
  error.textContent = '';
  const { agents, groups } = /** @type {TransferTargets} */ (
    await api('GET', '/api/v1/transfer-targets')
  );
  const pick =
    (/** @type {{ toAgentId: string } | { toGroupId: string }} */ target) => async () => {
      try {
        await api('POST', `/api/v1/sessions/${sessionId}/transfer`, target);
        ui.dialog.close();
        if (current === chat) closeChat();
      } catch (caught) {
        error.textContent = /** @type {Error} */ (caught).message;
      }
    };
  byId('transfer-agents').replaceChildren(
    ...agents
      .filter((a) => a.agentId !== me.agentId)
      .map((a) =>
        el('li', { attrs: { 'data-agent-id': a.agentId } }, [
          el('span', { text: a.name ? `${a.name} (${a.agentId})` : a.agentId }),
          el('span', {
            class: 'muted',
            text: t('agentLoad', { status: t(a.status), load: a.load, capacity: a.capacity }),
          }),
          el('button', {
            text: t('transfer'),
            attrs: { type: 'button' },
            on: { click: pick({ toAgentId: a.agentId }) },
          }),
        ]),
      ),
  );
  byId('transfer-groups').replaceChildren(
    ...groups.map((g) =>
      el('li', { attrs: { 'data-group-id': g.groupId } }, [
        el('span', { text: g.groupId }),
        el('span', { class: 'muted', text: t('groupQueue', { length: g.queueLength }) }),
        el('button', {
          text: t('transfer'),
          attrs: { type: 'button' },
          on: { click: pick({ toGroupId: g.groupId }) },
        }),
      ]),
    ),
  );
  ui.dialog.showModal();
}

async function closeSession() {
  const chat = current;
  if (!chat) return;
  try {
    await api('POST', `/api/v1/sessions/${chat.sessionId}/close`);
    // The list may have moved on first, and the agent opened another chat (or this one,
    // ended): only the chat that was closed is put away.
    if (current === chat) closeChat();
  } catch (error) {
    if (current === chat) ui.chatError.textContent = /** @type {Error} */ (error).message;
  }
}

// ── tickets ───────────────────────────────────────────────────────────────

async function loadTickets() {
  const { items } = /** @type {{ items: Ticket[] }} */ (
    await api('GET', '/api/v1/tickets?status=open&limit=50')
  );
  ui.tickets.replaceChildren(
    ...items.map((ticket) =>
      el('tr', { attrs: { 'data-ticket-id': ticket.ticketId } }, [
        el('td', {
          text: `${new Date(ticket.createdAt).toLocaleDateString(i18n.lang)} ${clock(ticket.createdAt, i18n.lang)}`,
        }),
        el('td', { text: ticket.visitorId }),
        el('td', {
          text: [
            ticket.contact.name,
            ticket.contact.phone,
            ticket.contact.email,
            ticket.contact.orderRef,
          ]
            .filter(Boolean)
            .join(' · '),
        }),
        el('td', { text: ticket.content }),
        el('td', { text: ticket.status }),
      ]),
    ),
  );
}

/** @param {'sessions' | 'tickets'} tab */
function showTab(tab) {
  show(ui.sessionsView, tab === 'sessions');
  show(ui.ticketsView, tab === 'tickets');
  if (tab === 'tickets') void loadTickets();
}

// ── wiring ────────────────────────────────────────────────────────────────

function connect() {
  socket = io('/agent', { auth: { token: me.token }, transports: ['websocket'] });
  followNetwork(socket);
  socket.on('connect', () => {
    ui.connection.textContent = t('connected');
    ui.connection.dataset.state = 'connected';
    // The server pushes the list on connect; the open chat pulls what it missed.
    void current?.stream?.resync();
    void loadClosed();
  });
  socket.on('disconnect', () => {
    ui.connection.textContent = t('disconnected');
    ui.connection.dataset.state = 'disconnected';
  });
  socket.on('connect_error', (/** @type {Error} */ error) => {
    ui.connection.textContent = error.message;
    if (/unauthorized/.test(error.message)) void logout(storageKey);
  });
  // Deactivated, deleted, or logged out elsewhere: the server disconnects right after.
  socket.on('access:revoked', () => void logout(storageKey));
  socket.on('session:list', replaceList);
  socket.on('session:updated', (/** @type {SessionSummary} */ summary) => {
    sessions.set(summary.sessionId, summary);
    if (known) alertNew([summary]);
    drawList();
  });
  socket.on('session:removed', (/** @type {{ sessionId: string }} */ { sessionId }) => {
    remember(sessions.get(sessionId));
    // An ended view of it, opened from the closed list, stays open.
    if (current?.sessionId === sessionId && !current.ended) closeChat();
    drawList();
  });
  socket.on('message:new', (/** @type {ChatMessage} */ message) => {
    if (current?.sessionId === message.sessionId) current.stream?.accept(message);
  });
}

function wire() {
  ui.presence.addEventListener('change', async () => {
    // A person's gesture: the moment a browser lets the page ask for notifications and sound.
    if (ui.presence.value === 'online') alerts.prepare();
    await api('PUT', `/api/v1/agents/${me.agentId}/status`, { status: ui.presence.value });
    await refreshLoad();
  });
  ui.reply.addEventListener('submit', (event) => {
    event.preventDefault();
    void sendReply();
  });
  // Enter sends, Shift+Enter starts a new line; the quick-reply picker takes Enter first.
  ui.replyText.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    void sendReply();
  });
  byId('attach-open').addEventListener('click', () => {
    const summary = current && sessions.get(current.sessionId);
    attach.open(summary?.entry);
  });
  byId('transfer').addEventListener('click', () => void openTransfer());
  byId('close').addEventListener('click', () => void closeSession());
  byId('logout').addEventListener('click', () => void logout(storageKey));
  byId('tab-sessions').addEventListener('click', () => showTab('sessions'));
  byId('tab-tickets').addEventListener('click', () => showTab('tickets'));
  // The offers' countdowns: a display clock only, the workflow owns the deadline.
  setInterval(() => {
    for (const node of document.querySelectorAll('[data-countdown]')) {
      const countdown = /** @type {HTMLElement} */ (node);
      tickCountdown(countdown, countdown.dataset.countdown ?? '');
    }
  }, 1000);
}

bindLanguageSelect(/** @type {HTMLSelectElement} */ (byId('lang')), i18n);
i18n.onChange(() => {
  if (me) {
    drawList();
    void refreshLoad();
    panel.redraw();
  }
});
i18n.apply();
me = await staffLogin(/** @type {HTMLFormElement} */ (byId('login')), storageKey);
ui.me.textContent = `${me.agentId} @ ${me.tenantId}`;
show(ui.app, true);
wire();
connect();
void refreshLoad();
