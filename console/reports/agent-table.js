// The per-agent table: one row per agent with figures in the period, sorted
// by the clicked column (a second click reverses it). A figure with nothing
// to measure (null) sorts last either way, so the top rows always compare
// agents that have the figure.
import { el } from '/shared/dom.js';
import { agentColumns, formatFigure } from './figures.js';

/** @typedef {import('./figures.js').AgentRows['items'][number]} AgentRow */

/** @type {{ key: 'agent' | import('./figures.js').FigureKey, descending: boolean }} */
let order = { key: 'handled', descending: true };
/** @type {AgentRow[]} */
let rows = [];

/**
 * @param {HTMLTableElement} table
 * @param {{ t: (key: string) => string, lang: string, name: (agentId: string) => string }} words
 */
function draw(table, words) {
  const head = el(
    'tr',
    {},
    [{ key: 'agent' }, ...agentColumns].map(({ key }) => {
      const sorted = order.key === key;
      const button = el('button', {
        class: 'sort',
        text: words.t(key),
        attrs: { type: 'button' },
        on: {
          click: () => {
            order = {
              key: /** @type {typeof order.key} */ (key),
              descending: sorted ? !order.descending : key !== 'agent',
            };
            draw(table, words);
          },
        },
      });
      return el(
        'th',
        {
          attrs: {
            'data-sort': key,
            'aria-sort': sorted ? (order.descending ? 'descending' : 'ascending') : 'none',
          },
        },
        [button],
      );
    }),
  );
  const sign = order.descending ? -1 : 1;
  const sorted = [...rows].sort((a, b) => {
    if (order.key === 'agent') {
      return sign * words.name(a.agentId).localeCompare(words.name(b.agentId), words.lang);
    }
    const x = a.figures[order.key];
    const y = b.figures[order.key];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sign * (x - y) || a.agentId.localeCompare(b.agentId);
  });
  const body = sorted.map((row) =>
    el('tr', { attrs: { 'data-agent-id': row.agentId } }, [
      el('td', { text: words.name(row.agentId) }),
      ...agentColumns.map(({ key, kind }) =>
        el('td', {
          text: formatFigure(row.figures[key], kind, words.lang, words.t('none')),
          attrs: { 'data-figure': key, 'data-value': String(row.figures[key]) },
        }),
      ),
    ]),
  );
  table.replaceChildren(el('thead', {}, [head]), el('tbody', {}, body));
}

/**
 * @param {HTMLTableElement} table
 * @param {AgentRow[]} items
 * @param {{ t: (key: string) => string, lang: string, name: (agentId: string) => string }} words
 */
export function drawAgentTable(table, items, words) {
  rows = items;
  draw(table, words);
}
