// The console's state, in one place: who is logged in, the socket, the
// server's session list, the recently closed chats, the offers' deadlines
// and the open chat; with the page elements the parts draw into, the
// language, and the API call every part makes with the agent's token. The
// other modules read these bindings live and change them only through the
// setters here.
import { callApi } from '/shared/api.js';
import { byId } from '/shared/dom.js';
import { createI18n } from '/shared/i18n.js';
import { texts } from './texts.js';

/**
 * @typedef {import('../../domain/socket-events').SessionSummary} SessionSummary
 * @typedef {import('../../domain/socket-events').AgentServerToClientEvents} ServerEvents
 * @typedef {import('../../domain/socket-events').AgentClientToServerEvents} ClientEvents
 * @typedef {import('socket.io-client').Socket<ServerEvents, ClientEvents>} AgentSocket
 * @typedef {{ tenantId: string, agentId: string, role: string, token: string }} Me
 * @typedef {{ sessionId: string, visitorId: string, entry: import('../../domain/socket-events').Entry, closedAt?: string, startedAt?: string }} EndedChat
 * @typedef {{ sessionId: string, ended: boolean, stream?: ReturnType<typeof import('/shared/message-stream.js').messageStream> }} OpenChat
 */

export const storageKey = 'reception.console.login';
/** Messages per history page: the chat opens with the latest page. */
export const pageSize = 30;
export const i18n = createI18n(texts, 'reception.console.lang');
export const { t } = i18n;

export const ui = {
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

/** Set at login, before any part runs. @type {Me} */
export let me;
/** @type {AgentSocket} */
export let socket;
/** The server's list, by session id. @type {Map<string, SessionSummary>} */
export const sessions = new Map();
/** Sessions that left this agent's list (closed or transferred away), newest first. */
export const closed = /** @type {EndedChat[]} */ ([]);
/** Offer deadlines (epoch ms) read from the session's state. @type {Map<string, number>} */
export const offerDeadlines = new Map();
/**
 * The open chat; `stream` is set once its latest page is shown, `ended` for a
 * chat from the recently closed list (read-only, no live stream).
 * @type {OpenChat | undefined}
 */
export let current;
/** Sessions already in the list, so only new ones alert; undefined until the first list. */
export let known = /** @type {Set<string> | undefined} */ (undefined);

/** @param {Me} value */
export const setMe = (value) => (me = value);
/** @param {AgentSocket} value */
export const setSocket = (value) => (socket = value);
/** @param {OpenChat | undefined} value */
export const setCurrent = (value) => (current = value);
/** @param {Set<string>} value */
export const setKnown = (value) => (known = value);

/** @param {string} method @param {string} path @param {unknown} [body] */
export const api = (method, path, body) => callApi(method, path, { token: me.token, body });
