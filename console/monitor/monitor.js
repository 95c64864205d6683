// The supervisor monitor: queues, agents' load, sessions by phase and
// today's service figures from the stats route, re-read when the server
// says they changed (`stats:changed` on the supervisors' room: a session
// opened, queued, moved or closed, a presence changed) and every 15 s
// besides, for what moves with the clock alone (waits, today's figures).
// Any open session can be watched (session:join + message:sync). The
// supervisor steers from here too: a queued session goes to a chosen agent
// (POST …/assign, forced past capacity or presence if ticked), a watched one
// is transferred or closed, or joined (POST …/supervisor-join: the shopper is
// told) and then written in like an agent. SLA and silent-agent alerts
// (`alert:sla`, `alert:silent`) are listed as they arrive.
import { io } from '/socket.io/socket.io.esm.min.js';
import { callApi, clientMsgId } from '/shared/api.js';
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
/** The latest figures: who can take a session (assign, transfer). @type {LiveStats | undefined} */
let latest;
/** Sessions this supervisor joined (and may write in). @type {Set<string>} */
const joined = new Set();

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
  latest = stats;
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
  const order = { online: 0, busy: 1, away: 2, offline: 3 };
  byId('agents').replaceChildren(
    ...[...stats.agents]
      .sort((a, b) => order[a.status] - order[b.status])
      .map((a) =>
        // Away because the console was gone for the grace, not by choice: said so.
        row([a.name ?? a.agentId, t(a.statusReason ?? a.status), `${a.load} / ${a.capacity}`], {
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
          'data-phase': s.phase,
        });
        line.append(el('td', {}, s.phase === 'queued' ? [assignControl(s.sessionId)] : []));
        line.addEventListener('click', () => void watch(s.sessionId));
        return line;
      }),
    );
  }
  byId('updated').textContent = t('updated', { time: new Date().toLocaleTimeString(i18n.lang) });
}

/** Agents who can be given a session (not offline), least loaded first. */
function takers() {
  return [...(latest?.agents ?? [])]
    .filter((a) => a.status !== 'offline')
    .sort((a, b) => a.load / (a.capacity || 1) - b.load / (b.capacity || 1));
}

/** @param {{ agentId: string, name?: string, status: string, load: number, capacity: number }} a */
const agentOption = (a) =>
  el('option', {
    text: `${a.name ?? a.agentId} (${t(a.status)}, ${a.load} / ${a.capacity})`,
    attrs: { value: a.agentId },
  });

/** A queued session's row: choose an agent, force if need be, assign. @param {string} sessionId */
function assignControl(sessionId) {
  const select = /** @type {HTMLSelectElement} */ (
    el(
      'select',
      { class: 'assign-agent', attrs: { 'aria-label': t('agent') } },
      takers().map(agentOption),
    )
  );
  const force = /** @type {HTMLInputElement} */ (
    el('input', { class: 'assign-force', attrs: { type: 'checkbox' } })
  );
  const button = el('button', {
    class: 'assign-button',
    text: t('assign'),
    attrs: { type: 'button' },
    on: {
      click: () =>
        void act(() =>
          callApi('POST', `/api/v1/sessions/${sessionId}/assign`, {
            token: me.token,
            body: { agentId: select.value, force: force.checked },
          }),
        ),
    },
  });
  const control = el('div', { class: 'assign' }, [
    select,
    el('label', {}, [force, ` ${t('force')}`]),
    button,
  ]);
  // The row watches the session on a click; choosing an agent is not that.
  control.addEventListener('click', (event) => event.stopPropagation());
  return control;
}

/** Runs an action, shows its refusal (the API names the field), re-reads the figures. @param {() => Promise<unknown>} action */
async function act(action) {
  byId('action-error').textContent = '';
  try {
    await action();
  } catch (error) {
    byId('action-error').textContent = /** @type {Error} */ (error).message;
  }
  refreshIn(0);
}

/** The watched session's transfer targets: agents who can take it, then groups. */
function fillTransferTargets() {
  const select = /** @type {HTMLSelectElement} */ (byId('transfer-target'));
  select.replaceChildren(
    ...takers().map(agentOption),
    ...(latest?.groups ?? []).map((g) =>
      el('option', {
        text: t('groupTarget', { id: g.groupId }),
        attrs: { value: `group:${g.groupId}` },
      }),
    ),
  );
}

/** Shows whether the watched session was joined: the composer, and the join button's state. */
function showJoined() {
  const mine = watched !== undefined && joined.has(watched.sessionId);
  show(byId('compose'), mine);
  const button = /** @type {HTMLButtonElement} */ (byId('join'));
  button.disabled = mine;
  button.textContent = mine ? t('joined') : t('join');
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
  fillTransferTargets();
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
          placeBySeq(
            list,
            renderMessage(m, {
              mine: type === 'agent' && m.sender.id === me.agentId,
              who,
              lang: i18n.lang,
            }),
          );
        }
      },
    }),
  };
  showJoined();
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

/** An alert as it arrives, newest first; a click watches its session. @param {string} sessionId @param {string} text */
function alertLine(sessionId, text) {
  const line = el('li', { text, attrs: { 'data-session-id': sessionId } });
  line.addEventListener('click', () => void watch(sessionId));
  byId('alerts').prepend(line);
}
/** @param {string} agentId */
const agentLabel = (agentId) => latest?.agents.find((a) => a.agentId === agentId)?.name ?? agentId;
socket.on('alert:sla', (alert) =>
  alertLine(
    alert.sessionId,
    t('slaAlert', { time: clock(alert.at, i18n.lang), agent: agentLabel(alert.agentId) }),
  ),
);
socket.on('alert:silent', (alert) =>
  alertLine(
    alert.sessionId,
    t(alert.action === 'reoffer' ? 'silentReoffer' : 'silentAlert', {
      time: clock(alert.at, i18n.lang),
      agent: agentLabel(alert.agentId),
    }),
  ),
);

byId('join').addEventListener('click', () => {
  const sessionId = watched?.sessionId;
  if (!sessionId) return;
  void act(async () => {
    await callApi('POST', `/api/v1/sessions/${sessionId}/supervisor-join`, { token: me.token });
    joined.add(sessionId);
    showJoined();
  });
});
byId('transfer').addEventListener('click', () => {
  const sessionId = watched?.sessionId;
  const target = /** @type {HTMLSelectElement} */ (byId('transfer-target')).value;
  if (!sessionId || !target) return;
  const body = target.startsWith('group:')
    ? { toGroupId: target.slice('group:'.length) }
    : { toAgentId: target };
  void act(() =>
    callApi('POST', `/api/v1/sessions/${sessionId}/transfer`, { token: me.token, body }),
  );
});
byId('close-session').addEventListener('click', () => {
  const sessionId = watched?.sessionId;
  if (!sessionId) return;
  void act(() => callApi('POST', `/api/v1/sessions/${sessionId}/close`, { token: me.token }));
});
byId('compose').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('compose-text'));
  const sessionId = watched?.sessionId;
  const text = input.value.trim();
  if (!sessionId || !text) return;
  void act(async () => {
    await request(socket, 'message:send', {
      sessionId,
      clientMsgId: clientMsgId(),
      kind: 'text',
      text,
    });
    input.value = '';
  });
});
refreshIn(0);
