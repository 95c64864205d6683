// The shopper's chat: opens (or re-attaches to) the session for this
// browser's visitor with the page's entry context, then keeps the message
// list exact by seq (live + resync) and draws the session's phase: robot with
// suggestion chips, queue position, off-hours form, idle warning, rating.
// Slightly over ~300 lines: each phase's drawing is a few lines here beside
// the one phase switch; the pieces with their own state (message stream,
// rendering, i18n) are already modules of their own.
import { io } from '/socket.io/socket.io.esm.min.js';
import { ApiError, callApi, clientMsgId } from '/shared/api.js';
import { byId, el, show } from '/shared/dom.js';
import { bindLanguageSelect, createI18n } from '/shared/i18n.js';
import { followNetwork, messageStream, request } from '/shared/message-stream.js';
import { placeBySeq, renderMessage } from '/shared/render-message.js';
import { showTyping, tellTyping } from '/shared/typing.js';
import { endChat } from './end-chat.js';
import { leaveForm } from './leave-form.js';
import { wireUploads } from './attach.js';
import { texts } from './texts.js';
import { unreadCounter } from './unread.js';

const i18n = createI18n(texts, 'reception.visitor.lang');
const { t } = i18n;
const params = new URLSearchParams(location.search);
const entryTypes = ['product', 'shop', 'order', 'logistics'];
const tenantId = params.get('tenant') ?? 'demo';
const entryType = entryTypes.includes(params.get('entry') ?? '') ? params.get('entry') : 'shop';
const entryRef = params.get('ref') || undefined;

const ui = {
  status: byId('status'),
  entry: byId('entry'),
  queue: byId('queue'),
  idle: byId('idle-warning'),
  list: byId('messages'),
  human: /** @type {HTMLButtonElement} */ (byId('human')),
  composer: /** @type {HTMLFormElement} */ (byId('composer')),
  text: /** @type {HTMLInputElement} */ (byId('text')),
  leave: /** @type {HTMLFormElement} */ (byId('leave-message')),
  left: byId('left'),
  rating: /** @type {HTMLFormElement} */ (byId('rating')),
  rated: byId('rated'),
};
const unread = unreadCounter();
const agentTyping = showTyping(byId('typing'));
const leaveFields = leaveForm(byId('leave-fields'), t);
const ending = endChat({
  button: /** @type {HTMLButtonElement} */ (byId('end-chat')),
  confirm: byId('end-confirm'),
  close: () => submitCommand('close', undefined),
  onError: (error) => setStatus(error.message),
});

/**
 * This browser's visitor credential: the engine makes an anonymous shopper's
 * id and hands back a credential for it, kept so a reload re-attaches to the
 * open session. The widget never names an id itself (the engine would refuse
 * it): a merchant who knows the shopper passes a signed identity JWT in the
 * frame's fragment (`#identity=…`, see embed.js), which never reaches a server log.
 */
const credentialKey = `reception.visitor.${tenantId}`;
const identityToken = new URLSearchParams(location.hash.slice(1)).get('identity') || undefined;

/** @param {{ token?: string, credential?: string } | undefined} visitor */
const openSession = (visitor) =>
  /** @type {Promise<{ sessionId: string, visitorToken: string, visitorCredential?: string }>} */ (
    callApi('POST', '/api/v1/sessions', {
      body: {
        tenantId,
        ...(visitor ? { visitor } : {}),
        channel: 'web',
        entry: entryRef ? { type: entryType, ref: entryRef } : { type: entryType },
      },
    })
  );

/** Opens as the signed shopper, or with the kept credential, or as a new anonymous shopper. */
async function openAsThisShopper() {
  if (identityToken) return openSession({ token: identityToken });
  const kept = localStorage.getItem(credentialKey);
  let started;
  try {
    started = await openSession(kept ? { credential: kept } : undefined);
  } catch (error) {
    // An expired credential, or one of another engine: start over as a new shopper.
    if (!kept || !(error instanceof ApiError) || error.status !== 401) throw error;
    started = await openSession(undefined);
  }
  if (started.visitorCredential) localStorage.setItem(credentialKey, started.visitorCredential);
  return started;
}

/** @type {{ sessionId: string, visitorToken: string }} */
let session;
/**
 * @typedef {import('../../domain/socket-events').ChatMessage} ChatMessage
 * @typedef {import('/shared/route-views.js').SessionState} SessionState
 * @typedef {import('../../domain/socket-events').VisitorServerToClientEvents} ServerEvents
 * @typedef {import('../../domain/socket-events').VisitorClientToServerEvents} ClientEvents
 */

/** @type {import('socket.io-client').Socket<ServerEvents, ClientEvents>} */
let socket;
/** @type {SessionState} */
let state = { phase: 'robot' };
let ratingInvited = false;
/** Whether the state was read again for the leave-message form (once: a projection has none). */
let formAsked = false;
/** Sends not yet stored: resent with the same clientMsgId after a reconnect (never stored twice). */
const outbox = new Map();

const stream = messageStream({
  sync: (afterSeq) => request(socket, 'message:sync', { afterSeq, limit: 100 }),
  deliver: (messages) => deliver(/** @type {ChatMessage[]} */ (messages)),
  onError: (error) => setStatus(error.message),
});

/** @param {string} text */
function setStatus(text) {
  ui.status.textContent = text;
}

/** @param {ChatMessage[]} messages */
function deliver(messages) {
  let lifecycle = false;
  for (const message of messages) {
    const pending = message.clientMsgId && outbox.get(message.clientMsgId);
    if (message.sender.type === 'visitor' && pending) {
      pending.item.remove();
      outbox.delete(message.clientMsgId);
    }
    placeBySeq(ui.list, renderMessage(message, { ...viewOf(message), onSuggestion: sendText }));
    if (message.sender.type === 'system' || message.kind === 'rating') lifecycle = true;
    if (message.kind === 'rating') ratingInvited = true;
    if (message.messageId.startsWith('wf:idle-warning')) show(ui.idle, true);
    if (message.sender.type === 'visitor') show(ui.idle, false);
  }
  ui.list.scrollTop = ui.list.scrollHeight;
  if (messages.some((message) => message.sender.type === 'agent')) agentTyping.hide();
  unread.delivered(messages);
  const last = messages[messages.length - 1];
  if (last && socket.connected) {
    socket.emit('message:read', { seq: last.seq }, () => undefined);
  }
  if (lifecycle) void refreshState();
}

/** @param {ChatMessage} message */
function viewOf(message) {
  const type = message.sender.type;
  const who =
    type === 'visitor'
      ? t('you')
      : type === 'agent'
        ? t('agent', { id: message.sender.id ?? '' })
        : t('robot');
  return { mine: type === 'visitor', who, lang: i18n.lang };
}

/** @param {string} text */
function sendText(text) {
  const trimmed = text.trim();
  if (!trimmed) return;
  typing.stop();
  const id = clientMsgId();
  const item = el('li', { class: 'message message--mine message--pending' }, [
    el('span', { class: 'message__meta', text: t('sending') }),
    el('span', { class: 'message__text', text: trimmed }),
  ]);
  ui.list.append(item);
  outbox.set(id, { text: trimmed, item });
  if (socket.connected) emitSend(id);
}

/** @param {string} id */
function emitSend(id) {
  const entry = outbox.get(id);
  if (!entry) return;
  request(socket, 'message:send', { kind: 'text', clientMsgId: id, text: entry.text })
    .then((stored) => stream.accept(/** @type {ChatMessage} */ (stored)))
    .catch((/** @type {Error} */ error) => {
      // Still in the outbox: the next connect resends it with the same id.
      setStatus(error.message);
    });
}

async function refreshState() {
  try {
    state = /** @type {SessionState} */ (
      await callApi('GET', `/api/v1/sessions/${session.sessionId}/state`, {
        token: session.visitorToken,
      })
    );
  } catch (error) {
    return setStatus(/** @type {Error} */ (error).message);
  }
  drawState();
}

function drawState() {
  const phase = state.phase;
  show(ui.human, phase === 'robot');
  show(ui.queue, ['queued', 'reserved', 'transferring'].includes(phase));
  ui.queue.dataset.position = String(state.queuePosition ?? '');
  if (phase === 'queued' && state.queuePosition) {
    ui.queue.textContent =
      state.estimatedWaitMs === undefined
        ? t('queue', { position: state.queuePosition })
        : t('queueWait', {
            position: state.queuePosition,
            minutes: Math.max(1, Math.round(state.estimatedWaitMs / 60_000)),
          });
  } else if (phase === 'queued') ui.queue.textContent = t('queueWaiting');
  else ui.queue.textContent = t('connectingAgent');
  const ended = phase === 'closed' || phase === 'rated';
  if (ended || phase !== 'assigned') show(ui.idle, false);
  show(ui.leave, phase === 'leave_message');
  ending.draw(!ended);
  if (phase === 'leave_message') {
    // An update's answer does not carry the form; the state read does.
    if (state.leaveMessageForm) leaveFields.show(state.leaveMessageForm);
    else if (!formAsked) {
      formAsked = true;
      void refreshState();
    } else {
      leaveFields.show([
        { name: 'name', required: false },
        { name: 'phone', required: false },
      ]);
    }
  }
  show(ui.left, ended && state.closeReason === 'left_message');
  show(ui.composer, !ended && phase !== 'leave_message');
  // After the close, or mid-chat when the agent invited it (the card arrived).
  show(ui.rating, (phase === 'closed' || phase === 'assigned') && ratingInvited && !state.rating);
  show(ui.rated, phase === 'rated' || Boolean(state.rating));
  ui.rated.textContent = state.rating ? t('rated', { score: state.rating.score }) : t('ended');
}

function drawEntry() {
  show(ui.entry, true);
  ui.entry.textContent = t(`entry_${entryType}`, { ref: entryRef ?? '' });
}

function wireForms() {
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    sendText(ui.text.value);
    ui.text.value = '';
  });
  ui.human.addEventListener('click', async () => {
    ui.human.disabled = true;
    try {
      state = /** @type {SessionState} */ (
        await callApi('POST', `/api/v1/sessions/${session.sessionId}/human`, {
          token: session.visitorToken,
        })
      );
      drawState();
    } catch (error) {
      setStatus(/** @type {Error} */ (error).message);
    } finally {
      ui.human.disabled = false;
    }
  });
  ui.leave.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(ui.leave);
    const field = (/** @type {string} */ name) => String(form.get(name) ?? '').trim();
    const contact = leaveFields.contact(form);
    await submit(ui.leave, 'leave-message', { contact, content: field('content') });
  });
  const stars = /** @type {HTMLElement} */ (ui.rating.querySelector('.stars'));
  let score = 0;
  for (let n = 1; n <= 5; n++) {
    stars.append(
      el('button', {
        text: `${n}★`,
        attrs: { type: 'button', role: 'radio', 'aria-checked': 'false', 'data-score': String(n) },
        on: {
          click: () => {
            score = n;
            for (const star of stars.children) {
              star.setAttribute('aria-checked', String(star === stars.children[n - 1]));
            }
          },
        },
      }),
    );
  }
  ui.rating.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = /** @type {HTMLElement} */ (ui.rating.querySelector('.form-error'));
    if (!score) return void (error.textContent = t('chooseScore'));
    const comment = String(new FormData(ui.rating).get('comment') ?? '').trim();
    await submit(ui.rating, 'rating', comment ? { score, comment } : { score });
  });
}

/**
 * Posts a session command and draws the state it answers.
 * @param {string} command @param {unknown} body
 */
async function submitCommand(command, body) {
  state = /** @type {SessionState} */ (
    await callApi('POST', `/api/v1/sessions/${session.sessionId}/${command}`, {
      token: session.visitorToken,
      ...(body === undefined ? {} : { body }),
    })
  );
  drawState();
}

/**
 * Posts a form to a session command; the API's message (naming the bad field) shows under it.
 * @param {HTMLFormElement} form @param {string} command @param {unknown} body
 */
async function submit(form, command, body) {
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'));
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  error.textContent = '';
  button.disabled = true;
  try {
    await submitCommand(command, body);
  } catch (caught) {
    error.textContent = /** @type {Error} */ (caught).message;
  } finally {
    button.disabled = false;
  }
}

async function open() {
  setStatus(t('connecting'));
  session = await openAsThisShopper();
  socket = io('/visitor', { auth: { token: session.visitorToken }, transports: ['websocket'] });
  followNetwork(socket);
  socket.on('connect', () => {
    setStatus(t('connected'));
    void stream.resync();
    for (const id of outbox.keys()) emitSend(id);
    void refreshState();
  });
  socket.on('disconnect', () => setStatus(t('reconnecting')));
  socket.on('connect_error', (/** @type {Error} */ error) => setStatus(error.message));
  socket.on('message:new', (/** @type {ChatMessage} */ message) => stream.accept(message));
  socket.on('typing', (notice) => agentTyping.notice(notice.typing));
}

// The shopper's typing reaches the agent (a hint: a lost one is harmless).
const typing = tellTyping(ui.text, (on) => {
  if (socket?.connected) socket.emit('typing', { typing: on }, () => undefined);
});

// Pictures, videos and files: uploaded, then sent as a message like any other.
wireUploads({
  composer: ui.composer,
  text: ui.text,
  list: ui.list,
  dropZone: /** @type {HTMLElement} */ (document.querySelector('main.chat')),
  session: () => session,
  // The body is the upload's message; the server checks every field and names a bad one.
  send: (body) =>
    request(
      socket,
      'message:send',
      /** @type {import('../../domain/socket-events').VisitorSend} */ (body),
    ).then((stored) => stream.accept(/** @type {ChatMessage} */ (stored))),
  lang: () => i18n.lang,
});
bindLanguageSelect(/** @type {HTMLSelectElement} */ (byId('lang')), i18n);
i18n.onChange(() => {
  drawEntry();
  leaveFields.redraw();
  if (session) drawState();
});
i18n.apply();
wireForms();
open().catch((error) => setStatus(t('openFailed', { error: error.message })));
