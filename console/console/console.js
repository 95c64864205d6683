// The agent console: presence, the live session list pushed by the server
// (session-list.js), one chat at a time (chat.js) with quick replies, links
// and cards, the customer panel (entry, tags, earlier chats, outreach),
// transfer (transfer-dialog.js) and close, alerts on new offers, and the
// leave-message tickets (tickets.js); the state they share is in state.js.
// This file logs in, connects the socket and wires the page's controls.
// Only public HTTP routes and socket events (domain/socket-events.ts).
import { io } from '/socket.io/socket.io.esm.min.js';
import { byId, show } from '/shared/dom.js';
import { bindLanguageSelect } from '/shared/i18n.js';
import { logout, staffLogin } from '/shared/login.js';
import { followNetwork } from '/shared/message-stream.js';
import { attachDialog } from './attach-dialog.js';
import { agentUploads } from './attach-upload.js';
import { chatView } from './chat.js';
import { customerPanel } from './customer-panel.js';
import { emojiPicker } from './emoji.js';
import { sessionNotes } from './notes.js';
import { offerAlerts } from './offer-alerts.js';
import { showStatus } from './presence-status.js';
import { quickReplyPicker } from './quick-replies.js';
import { ratingInvite } from './rating-invite.js';
import { sessionList } from './session-list.js';
import {
  api,
  current,
  i18n,
  known,
  me,
  sessions,
  setMe,
  setSocket,
  socket,
  storageKey,
  t,
  ui,
} from './state.js';
import { showTab } from './tickets.js';
import { transferDialog } from './transfer-dialog.js';
import { chatTyping } from './typing.js';

/** @typedef {import('../../domain/socket-events').SessionSummary} SessionSummary */

const alerts = offerAlerts();
const panel = customerPanel({ api, t, lang: () => i18n.lang });
const quickReplies = quickReplyPicker({ api, t, composer: ui.replyText });
// The list opens chats and the chat redraws the list: each reaches the other when called.
const notes = sessionNotes({
  form: /** @type {HTMLFormElement} */ (byId('note-form')),
  text: /** @type {HTMLTextAreaElement} */ (byId('note-text')),
  toggle: /** @type {HTMLButtonElement} */ (byId('note-open')),
});
const typing = chatTyping(byId('chat-typing'));
ratingInvite(/** @type {HTMLButtonElement} */ (byId('rating-invite')));
const emoji = emojiPicker({
  toggle: /** @type {HTMLButtonElement} */ (byId('emoji-open')),
  panel: byId('emoji-picker'),
  input: ui.replyText,
});
// Opening a chat clears its list at once; its notes then take their places among the messages.
const list = sessionList({
  alerts,
  openChat: (sessionId) => {
    typing.stop();
    typing.hide();
    emoji.close();
    void chat.openChat(sessionId);
    void notes.open(sessionId);
  },
  openEnded: (ended) => {
    typing.hide();
    void chat.openEnded(ended);
    void notes.open(ended.sessionId);
  },
});
const chat = chatView({ panel, quickReplies, drawList: () => list.drawList() });
const attach = attachDialog({ send: chat.sendBody });
agentUploads({
  tools: /** @type {HTMLElement} */ (ui.reply.querySelector('.composer__tools')),
  replyText: ui.replyText,
  chatError: ui.chatError,
  token: () => me.token,
  sessionId: () => (current && !current.ended ? current.sessionId : undefined),
  send: chat.sendBody,
  lang: () => i18n.lang,
});
const transfer = transferDialog({ closeChat: chat.closeChat });

function connect() {
  setSocket(io('/agent', { auth: { token: me.token }, transports: ['websocket'] }));
  followNetwork(socket);
  socket.on('connect', () => {
    ui.connection.textContent = t('connected');
    ui.connection.dataset.state = 'connected';
    // The server pushes the list on connect; the open chat pulls what it missed.
    void current?.stream?.resync();
    void list.loadClosed();
  });
  socket.on('disconnect', () => {
    ui.connection.textContent = t('disconnected');
    ui.connection.dataset.state = 'disconnected';
  });
  socket.on('connect_error', (error) => {
    ui.connection.textContent = error.message;
    if (/unauthorized/.test(error.message)) void logout(storageKey);
  });
  // Deactivated, deleted, or logged out elsewhere: the server disconnects right after.
  socket.on('access:revoked', () => void logout(storageKey));
  // Set by the engine, an admin or another tab: the select follows.
  socket.on('agent:status', showStatus);
  socket.on('session:list', list.replaceList);
  socket.on('session:updated', (summary) => {
    sessions.set(summary.sessionId, summary);
    if (known) list.alertNew([summary]);
    list.drawList();
  });
  socket.on('session:removed', ({ sessionId }) => {
    list.remember(sessions.get(sessionId));
    // An ended view of it, opened from the closed list, stays open.
    if (current?.sessionId === sessionId && !current.ended) chat.closeChat();
    list.drawList();
  });
  socket.on('message:new', (message) => {
    if (current?.sessionId === message.sessionId) current.stream?.accept(message);
    if (message.sender.type === 'visitor') typing.hide();
  });
  socket.on('note:new', notes.arrived);
  socket.on('typing', typing.notice);
}

function wire() {
  ui.presence.addEventListener('change', async () => {
    // A person's gesture: the moment a browser lets the page ask for notifications and sound.
    if (ui.presence.value === 'online') alerts.prepare();
    await api('PUT', `/api/v1/agents/${me.agentId}/status`, { status: ui.presence.value });
    await list.refreshLoad();
  });
  ui.reply.addEventListener('submit', (event) => {
    event.preventDefault();
    typing.stop();
    void chat.sendReply();
  });
  // Enter sends, Shift+Enter starts a new line; the quick-reply picker takes Enter first.
  ui.replyText.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    typing.stop();
    void chat.sendReply();
  });
  byId('attach-open').addEventListener('click', () => {
    const summary = current && sessions.get(current.sessionId);
    attach.open(summary?.entry);
  });
  byId('transfer').addEventListener('click', () => void transfer.open());
  byId('close').addEventListener('click', () => void chat.closeSession());
  byId('logout').addEventListener('click', () => void logout(storageKey));
  byId('tab-sessions').addEventListener('click', () => showTab('sessions'));
  byId('tab-tickets').addEventListener('click', () => showTab('tickets'));
  setInterval(list.tickCountdowns, 1000);
}

bindLanguageSelect(/** @type {HTMLSelectElement} */ (byId('lang')), i18n);
i18n.onChange(() => {
  if (me) {
    list.drawList();
    void list.refreshLoad();
    panel.redraw();
  }
});
i18n.apply();
setMe(await staffLogin(/** @type {HTMLFormElement} */ (byId('login')), storageKey));
ui.me.textContent = `${me.agentId} @ ${me.tenantId}`;
// Supervisors read the reports too (its own login: the console keeps its token to itself).
if (me.role === 'supervisor') {
  const reports = /** @type {HTMLAnchorElement} */ (byId('reports-link'));
  reports.href = `/reports/?tenant=${encodeURIComponent(me.tenantId)}`;
  show(reports, true);
}
show(ui.app, true);
wire();
connect();
void list.refreshLoad();
