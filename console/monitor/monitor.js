// The supervisor monitor: queues, agents' load, sessions by phase and
// today's service figures from the stats route, re-read when the server
// says they changed (`stats:changed` on the supervisors' room: a session
// opened, queued, moved or closed, a presence changed) and every 15 s
// besides, for what moves with the clock alone (waits, today's figures).
// Any open session can be watched read-only (session:join + message:sync,
// no composer: supervisors cannot send from here).
import { io } from '/socket.io/socket.io.esm.min.js';
import { callApi } from '/shared/api.js';
import { byId, clock, el, show } from '/shared/dom.js';
import { bindLanguageSelect, createI18n } from '/shared/i18n.js';
import { logout, staffLogin } from '/shared/login.js';
import { followNetwork, messageStream, request } from '/shared/message-stream.js';
import { placeBySeq, renderMessage } from '/shared/render-message.js';
import { texts } from './texts.js';
import { watchNotes } from './watch-notes.js';

const storageKey = 'reception.monitor.login';
/** Re-read this often without a hint: waits grow with the clock, not with events. */
const fallbackMs = 15_000;
/** Hints come in bursts (one session's queue, assignment, first message): one read per burst. */
const hintDelayMs = 250;
const i18n = createI18n(texts, 'reception.monitor.lang');
const { t } = i18n;

/** @type {{ tenantId: string, agentId: string, token: string }} */
let me;
/**
 * @typedef {import('../../domain/socket-events').ChatMessage} ChatMessage
 * @typedef {import('/shared/route-views.js').LiveStats} LiveStats
 * @typedef {import('/shared/route-views.js').Rating} Rating
 * @typedef {import('../../domain/socket-events').AgentServerToClientEvents} ServerEvents
 * @typedef {import('../../domain/socket-events').AgentClientToServerEvents} ClientEvents
 */

/** @type {import('socket.io-client').Socket<ServerEvents, ClientEvents>} */
let socket;
/** @type {{ sessionId: string, stream: ReturnType<typeof messageStream> } | undefined} */
let watched;

const percent = (/** @type {number | undefined} */ share) =>
  share === undefined ? t('none') : `${Math.round(share * 100)}%`;
const seconds = (/** @type {number | undefined} */ ms) =>
  ms === undefined ? t('none') : t('seconds', { n: Math.round(ms / 1000) });
const row = (/** @type {string[]} */ cells, /** @type {Record<string, string>} */ attrs = {}) =>
  el(
    'tr',
    { attrs },
    cells.map((text) => el('td', { text })),
  );

async function refresh() {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const from = encodeURIComponent(midnight.toISOString());
  const [stats, ratings, open] = await Promise.all([
    /** @type {Promise<LiveStats>} */ (
      callApi('GET', `/api/v1/stats/live?from=${from}`, { token: me.token })
    ),
    /** @type {Promise<{ items: Rating[] }>} */ (
      callApi('GET', '/api/v1/ratings?limit=10', { token: me.token })
    ),
    request(socket, 'session:list', {}).catch(() => undefined),
  ]);
  byId('f-sessions').textContent = String(stats.today.sessions);
  byId('f-first').textContent = seconds(stats.today.firstResponseMs);
  byId('f-reply').textContent = percent(stats.today.replyRate);
  byId('f-satisfaction').textContent = percent(stats.today.satisfaction);
  byId('f-ratings').textContent =
    stats.today.ratings === 0
      ? '0'
      : `${stats.today.ratings} (${(stats.today.meanScore ?? 0).toFixed(1)})`;
  byId('groups').replaceChildren(
    ...stats.groups.map((g) =>
      row([g.groupId, String(g.queueLength), seconds(g.longestWaitMs)], {
        'data-group-id': g.groupId,
      }),
    ),
  );
  const order = { online: 0, away: 1, offline: 2 };
  byId('agents').replaceChildren(
    ...[...stats.agents]
      .sort((a, b) => order[a.status] - order[b.status])
      .map((a) =>
        row([a.name ?? a.agentId, t(a.status), `${a.load} / ${a.capacity}`], {
          'data-agent-id': a.agentId,
        }),
      ),
  );
  byId('phases').replaceChildren(
    ...Object.entries(stats.phases)
      .filter(([, count]) => count > 0)
      .map(([phase, count]) => row([phase, String(count)], { 'data-phase': phase })),
  );
  byId('recent-ratings').replaceChildren(
    ...ratings.items.map((r) =>
      row(
        [
          `${'★'.repeat(r.score)} ${r.score}/5`,
          r.agentId ?? '',
          r.comment ?? '',
          clock(r.at, i18n.lang),
        ],
        {
          'data-rating-session': r.sessionId,
        },
      ),
    ),
  );
  if (open) {
    byId('sessions').replaceChildren(
      ...open.map((s) => {
        const line = row([s.visitorId, s.phase, s.agentId ?? '', s.lastMessage?.text ?? ''], {
          'data-session-id': s.sessionId,
        });
        line.addEventListener('click', () => void watch(s.sessionId));
        return line;
      }),
    );
  }
  byId('updated').textContent = t('updated', { time: new Date().toLocaleTimeString(i18n.lang) });
}

// Private notes of the watched chat, among its messages.
const notes = watchNotes({
  list: byId('watch-messages'),
  token: () => me.token,
  t,
  lang: () => i18n.lang,
});

/** @param {string} sessionId */
async function watch(sessionId) {
  if (watched) socket.emit('session:leave', { sessionId: watched.sessionId }, () => undefined);
  const list = byId('watch-messages');
  list.replaceChildren();
  byId('watch-id').textContent = sessionId;
  show(byId('watch'), true);
  watched = {
    sessionId,
    stream: messageStream({
      sync: (afterSeq) => request(socket, 'message:sync', { sessionId, afterSeq, limit: 100 }),
      deliver: (messages) => {
        if (watched?.sessionId !== sessionId) return;
        for (const m of /** @type {ChatMessage[]} */ (messages)) {
          const type = m.sender.type;
          const who =
            type === 'visitor'
              ? t('visitor')
              : type === 'agent'
                ? t('agentName', { id: m.sender.id ?? '' })
                : t('robot');
          placeBySeq(list, renderMessage(m, { mine: type === 'agent', who, lang: i18n.lang }));
        }
      },
    }),
  };
  await request(socket, 'session:join', { sessionId });
  await watched.stream.resync();
  await notes.watch(sessionId);
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
let running = false;
let again = false;

/** Re-reads the figures in `delay` ms, unless a read is running (then once more after it). */
function refreshIn(/** @type {number} */ delay) {
  if (running) {
    again = true;
    return;
  }
  clearTimeout(timer);
  timer = setTimeout(() => void run(), delay);
}

async function run() {
  running = true;
  try {
    await refresh();
  } catch (error) {
    byId('updated').textContent = /** @type {Error} */ (error).message;
  } finally {
    running = false;
    const next = again ? hintDelayMs : fallbackMs;
    again = false;
    timer = setTimeout(() => void run(), next);
  }
}

bindLanguageSelect(/** @type {HTMLSelectElement} */ (byId('lang')), i18n);
i18n.apply();
me = await staffLogin(/** @type {HTMLFormElement} */ (byId('login')), storageKey);
// The reports page shares this login (same tab, same key): it opens without one.
/** @type {HTMLAnchorElement} */ (byId('reports-link')).href =
  `/reports/?tenant=${encodeURIComponent(me.tenantId)}`;
show(byId('app'), true);
socket = io('/agent', { auth: { token: me.token }, transports: ['websocket'] });
followNetwork(socket);
socket.on('note:new', (note) => notes.arrived(note));
socket.on('connect', () => {
  void watched?.stream.resync();
  refreshIn(0);
});
socket.on('stats:changed', () => refreshIn(hintDelayMs));
// Deactivated, deleted, or logged out elsewhere: back to the login form.
socket.on('access:revoked', () => void logout(storageKey));
socket.on('message:new', (/** @type {ChatMessage} */ m) => {
  if (watched?.sessionId === m.sessionId) watched.stream.accept(m);
});
refreshIn(0);
