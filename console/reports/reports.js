// The reports page for supervisors: a period (today, 7 or 30 days, or any
// from/to local days) by hour or day, for the tenant or one group or agent;
// the headline figures beside the previous period of the same length (the
// summary route gives both), a chart per figure (timeseries route), the
// per-agent table sortable by any column, and the CSV exports. Every figure
// is the API's (/api/v1/reports/…); this page only shows it. Logging in here
// is the monitor's login (same tab, same key), so its link opens straight in.
import { ApiError, callApi } from '/shared/api.js';
import { byId, el } from '/shared/dom.js';
import { bindLanguageSelect, createI18n } from '/shared/i18n.js';
import { logout, staffLogin } from '/shared/login.js';
import { drawAgentTable } from './agent-table.js';
import { drawCharts } from './charts.js';
import { downloadCsv } from './downloads.js';
import { formatFigure, headline, localDate, presetRange } from './figures.js';
import { texts } from './texts.js';

/**
 * @typedef {import('./figures.js').Summary} Summary
 * @typedef {import('./figures.js').Timeseries} Timeseries
 * @typedef {import('./figures.js').AgentRows} AgentRows
 */

const storageKey = 'reception.monitor.login';
const i18n = createI18n(texts, 'reception.reports.lang');
const { t } = i18n;
const form = /** @type {HTMLFormElement} */ (byId('filters'));
const field = (/** @type {string} */ name) =>
  /** @type {HTMLInputElement | HTMLSelectElement} */ (form.elements.namedItem(name));

/** @type {{ tenantId: string, agentId: string, token: string }} */
let me;
/** Report days are the tenant's local days: its zone is known from the first answer. */
let timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
/** @type {Map<string, string>} */
const agentNames = new Map();
/** @type {{ summary: Summary, series: Timeseries, agents: AgentRows } | undefined} */
let shown;
/** Only the latest request's answers are drawn (the filters may change while one runs). */
let latest = 0;

const api = (/** @type {string} */ path) => callApi('GET', path, { token: me.token });
const nameOf = (/** @type {string} */ agentId) => agentNames.get(agentId) ?? agentId;

/** The query of the chosen range and filters; fills the dates for a preset period. */
function query() {
  const period = field('period').value;
  if (period !== 'custom') {
    const range = presetRange(
      /** @type {'today' | '7d' | '30d'} */ (period),
      localDate(new Date(), timeZone),
    );
    field('from').value = range.from;
    field('to').value = range.to;
  }
  const params = new URLSearchParams({ from: field('from').value, to: field('to').value });
  for (const name of ['groupId', 'agentId']) {
    const value = field(name).value;
    if (value) params.set(name, value);
  }
  return params;
}

async function load() {
  const request = ++latest;
  const params = query();
  if (!params.get('from') || !params.get('to')) return;
  byId('error').textContent = '';
  byId('status').textContent = t('loading');
  const series = new URLSearchParams(params);
  series.set('granularity', field('granularity').value);
  try {
    const [summary, timeseries, agents] = await Promise.all([
      /** @type {Promise<Summary>} */ (api(`/api/v1/reports/summary?${params}`)),
      /** @type {Promise<Timeseries>} */ (api(`/api/v1/reports/timeseries?${series}`)),
      /** @type {Promise<AgentRows>} */ (api(`/api/v1/reports/agents?${params}`)),
    ]);
    if (request !== latest) return;
    if (summary.timeZone !== timeZone && field('period').value !== 'custom') {
      // "Today" was reckoned in the browser's zone: again in the tenant's.
      timeZone = summary.timeZone;
      await load();
      return;
    }
    timeZone = summary.timeZone;
    shown = { summary, series: timeseries, agents };
    draw();
    byId('status').textContent = t('updated', {
      time: new Date().toLocaleTimeString(i18n.lang),
    });
  } catch (error) {
    if (request !== latest) return;
    byId('status').textContent = '';
    showError(error);
  }
}

function draw() {
  if (!shown) return;
  const { summary, series, agents } = shown;
  const none = t('none');
  byId('range').textContent = t('range', {
    from: summary.from,
    to: summary.to,
    timeZone: summary.timeZone,
    pfrom: summary.previous.from,
    pto: summary.previous.to,
  });
  byId('figures').replaceChildren(
    ...headline.map(({ key, kind, better }) => {
      const now = summary.figures[key];
      const before = summary.previous.figures[key];
      const moved =
        now === null || before === null || now === before || better === 'none'
          ? ''
          : now > before === (better === 'up')
            ? 'better'
            : 'worse';
      return el('div', { class: 'figure', attrs: { 'data-figure': key } }, [
        el('span', { text: t(key) }),
        el('strong', {
          class: `current ${moved}`,
          text: formatFigure(now, kind, i18n.lang, none),
          attrs: { 'data-value': String(now) },
        }),
        el('div', {
          class: 'previous',
          text: t('previous', { value: formatFigure(before, kind, i18n.lang, none) }),
          attrs: { 'data-value': String(before) },
        }),
      ]);
    }),
  );
  drawCharts(byId('charts'), series, headline, { title: t, lang: i18n.lang, none });
  drawAgentTable(/** @type {HTMLTableElement} */ (byId('agent-table')), agents.items, {
    t,
    lang: i18n.lang,
    name: nameOf,
  });
}

/** An agent's login may not read reports (403): said in the page's language. */
function showError(/** @type {unknown} */ error) {
  byId('error').textContent =
    error instanceof ApiError && error.status === 403
      ? t('forbidden')
      : /** @type {Error} */ (error).message;
}

/** Fills the group and agent filters from the tenant's groups and agents. */
async function fillFilters() {
  const [groups, agents] = await Promise.all([
    /** @type {Promise<{ items: { groupId: string }[] }>} */ (api('/api/v1/groups')),
    /** @type {Promise<{ items: { agentId: string, name?: string }[] }>} */ (api('/api/v1/agents')),
  ]);
  field('groupId').append(
    ...groups.items.map((g) => el('option', { text: g.groupId, attrs: { value: g.groupId } })),
  );
  for (const a of agents.items) agentNames.set(a.agentId, a.name ?? a.agentId);
  field('agentId').append(
    ...agents.items.map((a) =>
      el('option', { text: nameOf(a.agentId), attrs: { value: a.agentId } }),
    ),
  );
}

function wire() {
  form.addEventListener('change', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (target === field('from') || target === field('to')) field('period').value = 'custom';
    if (target === field('period') && field('period').value !== 'custom') {
      // A day is read by the hour; longer periods by the day.
      field('granularity').value = field('period').value === 'today' ? 'hour' : 'day';
    }
    void load();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  for (const button of document.querySelectorAll('[data-export]')) {
    const kind = /** @type {HTMLElement} */ (button).dataset.export ?? '';
    button.addEventListener('click', () => {
      const params = query();
      if (kind === 'timeseries') params.set('granularity', field('granularity').value);
      const path =
        kind === 'conversations'
          ? `/api/v1/reports/conversations.csv?${params}`
          : `/api/v1/reports/${kind}?${params}&format=csv`;
      const name = `${kind}-${params.get('from')}-${params.get('to')}.csv`;
      downloadCsv(path, me.token, name).catch(showError);
    });
  }
  byId('logout').addEventListener('click', () => void logout(storageKey));
  i18n.onChange(draw);
}

bindLanguageSelect(/** @type {HTMLSelectElement} */ (byId('lang')), i18n);
i18n.apply();
me = await staffLogin(/** @type {HTMLFormElement} */ (byId('login')), storageKey);
/** @type {HTMLAnchorElement} */ (byId('monitor-link')).href =
  `/monitor/?tenant=${encodeURIComponent(me.tenantId)}`;
byId('app').hidden = false;
wire();
field('period').value = 'today';
field('granularity').value = 'hour';
await fillFilters().catch(showError);
await load();
