// The agent console: presence, the live session list pushed by the server
// (offers with their reservation countdown, active sessions with unread
// counts), one chat at a time kept exact by seq, transfer and close, and
// the leave-message tickets. Only public HTTP routes and socket events.
import { io } from '/socket.io/socket.io.esm.min.js';
import { callApi, clientMsgId } from '/shared/api.js';
import { byId, clock, el, show } from '/shared/dom.js';
import { bindLanguageSelect, createI18n } from '/shared/i18n.js';
import { logout, staffLogin } from '/shared/login.js';
import { followNetwork, messageStream, request } from '/shared/message-stream.js';
import { placeBySeq, renderMessage } from '/shared/render-message.js';
import { texts } from './texts.js';

const storageKey = 'reception.console.login';
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
  reply: /** @type {HTMLFormElement} */ (byId('reply')),
  replyText: /** @type {HTMLInputElement} */ (byId('reply-text')),
  chatError: byId('chat-error'),
  dialog: /** @type {HTMLDialogElement} */ (byId('transfer-dialog')),
  sessionsView: byId('sessions-view'),
  ticketsView: byId('tickets-view'),
  tickets: byId('tickets'),
};

/** @type {{ tenantId: string, agentId: string, role: string, token: string }} */
let me;
/** @type {any} */
let socket;
/** The server's list, by session id. @type {Map<string, any>} */
const sessions = new Map();
/** Sessions that left this agent's list (closed or transferred away), newest first. */
const closed = /** @type {any[]} */ ([]);
/** Offer deadlines (epoch ms) read from the session's state. @type {Map<string, number>} */
const offerDeadlines = new Map();
/** @type {{ sessionId: string, stream: ReturnType<typeof messageStream> } | undefined} */
let current;

const api = (/** @type {string} */ method, /** @type {string} */ path, body) =>
  callApi(method, path, { token: me.token, body });

// ── session list ──────────────────────────────────────────────────────────

/** @param {any[]} list */
function replaceList(list) {
  for (const id of sessions.keys()) {
    if (!list.some((s) => s.sessionId === id)) remember(sessions.get(id));
  }
  sessions.clear();
  for (const summary of list) sessions.set(summary.sessionId, summary);
  drawList();
  void refreshLoad();
}

/** @param {any} summary */
function remember(summary) {
  if (!summary) return;
  sessions.delete(summary.sessionId);
  closed.unshift(summary);
  closed.splice(10);
}

function drawList() {
  const offers = [...sessions.values()].filter((s) => s.phase === 'reserved');
  const active = [...sessions.values()].filter((s) => s.phase !== 'reserved');
  ui.offers.replaceChildren(...offers.map(offerItem));
  ui.active.replaceChildren(...active.map(activeItem));
  ui.closed.replaceChildren(...closed.map(closedItem));
  for (const offer of offers) if (!offerDeadlines.has(offer.sessionId)) void readDeadline(offer);
}

/** @param {any} s */
function describe(s) {
  return `${s.visitorId} · ${t(`entry_${s.entry.type}`, { ref: s.entry.ref ?? '' })}`;
}

/** @param {any} s */
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

/** @param {any} s */
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

/** @param {any} s */
function closedItem(s) {
  return el('li', { attrs: { 'data-session-id': s.sessionId, 'data-phase': 'closed' } }, [
    el('div', { class: 'summary' }, [
      el('strong', { text: describe(s) }),
      el('span', { text: t('readOnly') }),
    ]),
  ]);
}

/** @param {any} s */
async function readDeadline(s) {
  try {
    const state = await api('GET', `/api/v1/sessions/${s.sessionId}/state`);
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
    const { agents } = await api('GET', '/api/v1/transfer-targets');
    const self = agents.find((/** @type {any} */ a) => a.agentId === me.agentId);
    if (!self) return;
    ui.load.textContent = t('load', { load: self.load, capacity: self.capacity });
    ui.load.dataset.load = String(self.load);
    ui.presence.value = self.status;
  } catch {
    // Shown again on the next push.
  }
}

// ── chat ──────────────────────────────────────────────────────────────────

/** @param {string} sessionId */
function openChat(sessionId) {
  if (current?.sessionId === sessionId) return;
  const summary = sessions.get(sessionId);
  current = {
    sessionId,
    stream: messageStream({
      sync: (afterSeq) => request(socket, 'message:sync', { sessionId, afterSeq, limit: 50 }),
      deliver: (messages) => deliverTo(sessionId, messages),
      onError: (error) => (ui.chatError.textContent = error.message),
    }),
  };
  ui.messages.replaceChildren();
  ui.chatError.textContent = '';
  ui.chatTitle.textContent = summary?.visitorId ?? sessionId;
  ui.chatEntry.textContent = summary
    ? t(`entry_${summary.entry.type}`, { ref: summary.entry.ref ?? '' })
    : '';
  show(ui.chat, true);
  show(ui.empty, false);
  drawList();
  void current.stream.resync();
}

/** @param {string} sessionId @param {any[]} messages */
function deliverTo(sessionId, messages) {
  if (current?.sessionId !== sessionId) return;
  for (const message of messages) {
    const type = message.sender.type;
    const mine = type === 'agent' && message.sender.id === me.agentId;
    const who =
      type === 'visitor'
        ? t('visitor')
        : type === 'agent'
          ? mine
            ? t('you')
            : t('agent', { id: message.sender.id })
          : t('robot');
    placeBySeq(ui.messages, renderMessage(message, { mine, who, lang: i18n.lang }));
  }
  ui.messages.scrollTop = ui.messages.scrollHeight;
  const last = messages[messages.length - 1];
  const summary = sessions.get(sessionId);
  if (last && summary && summary.phase === 'assigned' && socket.connected) {
    socket.emit('message:read', { sessionId, seq: last.seq }, () => undefined);
  }
}

function closeChat() {
  current = undefined;
  show(ui.chat, false);
  show(ui.empty, true);
}

async function sendReply() {
  const text = ui.replyText.value.trim();
  if (!text || !current) return;
  const { sessionId, stream } = current;
  const id = clientMsgId();
  ui.replyText.value = '';
  ui.chatError.textContent = '';
  // Retried with the same clientMsgId until stored: never lost, never stored twice.
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const stored = await request(socket, 'message:send', {
        sessionId,
        kind: 'text',
        clientMsgId: id,
        text,
      });
      stream.accept(stored);
      return;
    } catch (error) {
      ui.chatError.textContent = /** @type {Error} */ (error).message;
      if (!/no answer/.test(/** @type {Error} */ (error).message)) return;
    }
  }
}

// ── transfer and close ────────────────────────────────────────────────────

async function openTransfer() {
  if (!current) return;
  const sessionId = current.sessionId;
  const error = /** @type {HTMLElement} */ (ui.dialog.querySelector('.form-error'));
  error.textContent = '';
  const { agents, groups } = await api('GET', '/api/v1/transfer-targets');
  const pick = (/** @type {any} */ target) => async () => {
    try {
      await api('POST', `/api/v1/sessions/${sessionId}/transfer`, target);
      ui.dialog.close();
      closeChat();
    } catch (caught) {
      error.textContent = /** @type {Error} */ (caught).message;
    }
  };
  byId('transfer-agents').replaceChildren(
    ...agents
      .filter((/** @type {any} */ a) => a.agentId !== me.agentId)
      .map((/** @type {any} */ a) =>
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
    ...groups.map((/** @type {any} */ g) =>
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
  if (!current) return;
  try {
    await api('POST', `/api/v1/sessions/${current.sessionId}/close`);
    closeChat();
  } catch (error) {
    ui.chatError.textContent = /** @type {Error} */ (error).message;
  }
}

// ── tickets ───────────────────────────────────────────────────────────────

async function loadTickets() {
  const { items } = await api('GET', '/api/v1/tickets?status=open&limit=50');
  ui.tickets.replaceChildren(
    ...items.map((/** @type {any} */ ticket) =>
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
    void current?.stream.resync();
  });
  socket.on('disconnect', () => {
    ui.connection.textContent = t('disconnected');
    ui.connection.dataset.state = 'disconnected';
  });
  socket.on('connect_error', (/** @type {Error} */ error) => {
    ui.connection.textContent = error.message;
    if (/unauthorized/.test(error.message)) logout(storageKey);
  });
  socket.on('session:list', replaceList);
  socket.on('session:updated', (/** @type {any} */ summary) => {
    sessions.set(summary.sessionId, summary);
    drawList();
  });
  socket.on('session:removed', (/** @type {{ sessionId: string }} */ { sessionId }) => {
    remember(sessions.get(sessionId));
    if (current?.sessionId === sessionId) closeChat();
    drawList();
  });
  socket.on('message:new', (/** @type {any} */ message) => {
    if (current?.sessionId === message.sessionId) current.stream.accept(message);
  });
}

function wire() {
  ui.presence.addEventListener('change', async () => {
    await api('PUT', `/api/v1/agents/${me.agentId}/status`, { status: ui.presence.value });
    await refreshLoad();
  });
  ui.reply.addEventListener('submit', (event) => {
    event.preventDefault();
    void sendReply();
  });
  byId('transfer').addEventListener('click', () => void openTransfer());
  byId('close').addEventListener('click', () => void closeSession());
  byId('logout').addEventListener('click', () => logout(storageKey));
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
  }
});
i18n.apply();
me = await staffLogin(/** @type {HTMLFormElement} */ (byId('login')), storageKey);
ui.me.textContent = `${me.agentId} @ ${me.tenantId}`;
show(ui.app, true);
wire();
connect();
void refreshLoad();
