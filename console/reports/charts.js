// A chart per headline figure over the period, from the timeseries route,
// drawn by uPlot (served by the API process from node_modules at
// /vendor/uplot/, no CDN). The x axis is the buckets' UTC starts shown in
// the tenant's report time zone, so an hour reads as the API labels it.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { el } from '/shared/dom.js';
import { formatFigure } from './figures.js';

/** @type {uPlot[]} */
let drawn = [];

/**
 * @param {HTMLElement} container
 * @param {import('./figures.js').Timeseries} series
 * @param {{ key: import('./figures.js').FigureKey, kind: import('./figures.js').Kind }[]} figures
 * @param {{ title: (key: string) => string, lang: string, none: string }} words
 */
export function drawCharts(container, series, figures, words) {
  drawn.forEach((chart) => chart.destroy());
  drawn = [];
  container.replaceChildren();
  const xs = series.points.map((p) => Date.parse(p.start) / 1000);
  const width = Math.max(240, Math.floor(container.clientWidth / 2) - 24);
  for (const { key, kind } of figures) {
    // Rates are drawn in percent so the axis reads like the figure.
    const scale = kind === 'rate' ? 100 : 1;
    const ys = series.points.map((p) => {
      const value = p.figures[key];
      return value === null ? null : value * scale;
    });
    const box = el('figure', { class: 'chart', attrs: { 'data-chart': key } }, [
      el('figcaption', { text: words.title(key) }),
    ]);
    container.append(box);
    drawn.push(
      new uPlot(
        {
          width,
          height: 160,
          legend: { show: false },
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), series.timeZone),
          // A rate's axis is always 0–100 %, so charts of rates compare at a glance.
          scales:
            kind === 'rate' ? { x: { time: true }, y: { range: [0, 100] } } : { x: { time: true } },
          series: [
            {},
            {
              label: words.title(key),
              stroke: '#165dff',
              fill: 'rgba(22, 93, 255, 0.08)',
              width: 2,
              points: { show: true, size: 5 },
            },
          ],
          axes: [
            {},
            {
              size: 64,
              values: (_chart, splits) =>
                splits.map((v) =>
                  formatFigure(v === null ? null : v / scale, kind, words.lang, words.none),
                ),
            },
          ],
        },
        [xs, ys],
        box,
      ),
    );
  }
}
