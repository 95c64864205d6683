// The figures the reports page shows, how each is written, and the periods
// it offers. The figures and their definitions are the API's
// (ReportFigures in the OpenAPI document, README.md "Reports"); the page
// only picks some and formats them.

/**
 * @typedef {{
 *   sessions: number, consultations: number, robotOnly: number, robotResolutionRate: number | null,
 *   tickets: number, handled: number, shopperMessages: number, replyRate24h: number | null,
 *   firstResponseWithinSlaRate: number | null, firstResponseMeanS: number | null,
 *   firstResponseP50S: number | null, firstResponseP90S: number | null,
 *   responseMeanS: number | null, responseP90S: number | null, ratings: number,
 *   satisfactionRate: number | null, ratingParticipation: number | null, meanScore: number | null,
 *   scoreDistribution: Record<string, number>, queued: number, queueWaitMeanS: number | null,
 *   queueWaitP90S: number | null, abandoned: number, abandonmentRate: number | null,
 *   overflowed: number, transfers: number, silentAgent: number, closeReasons: Record<string, number>,
 *   onlineS: number, awayS: number, busyS: number, occupancy: number | null, meanLoad: number | null,
 * }} Figures
 * @typedef {{ timeZone: string, from: string, to: string, figures: Figures, previous: { from: string, to: string, figures: Figures } }} Summary
 * @typedef {{ timeZone: string, granularity: 'day' | 'hour', points: { start: string, label: string, figures: Figures }[] }} Timeseries
 * @typedef {{ from: string, to: string, items: { agentId: string, figures: Figures }[] }} AgentRows
 * @typedef {Exclude<keyof Figures, 'scoreDistribution' | 'closeReasons'>} FigureKey
 * @typedef {'count' | 'rate' | 'seconds' | 'duration' | 'score'} Kind
 */

/**
 * The headline figures, in the order the page shows them (each also has a
 * chart). `better` says which way is good, for the change against the
 * previous period.
 * @type {{ key: FigureKey, kind: Kind, better: 'up' | 'down' | 'none' }[]}
 */
export const headline = [
  { key: 'consultations', kind: 'count', better: 'none' },
  { key: 'sessions', kind: 'count', better: 'none' },
  { key: 'handled', kind: 'count', better: 'none' },
  { key: 'replyRate24h', kind: 'rate', better: 'up' },
  { key: 'firstResponseP50S', kind: 'seconds', better: 'down' },
  { key: 'firstResponseMeanS', kind: 'seconds', better: 'down' },
  { key: 'firstResponseWithinSlaRate', kind: 'rate', better: 'up' },
  { key: 'satisfactionRate', kind: 'rate', better: 'up' },
  { key: 'ratingParticipation', kind: 'rate', better: 'up' },
  { key: 'meanScore', kind: 'score', better: 'up' },
  { key: 'queueWaitMeanS', kind: 'seconds', better: 'down' },
  { key: 'queueWaitP90S', kind: 'seconds', better: 'down' },
  { key: 'abandonmentRate', kind: 'rate', better: 'down' },
  { key: 'robotResolutionRate', kind: 'rate', better: 'up' },
  { key: 'tickets', kind: 'count', better: 'none' },
  { key: 'transfers', kind: 'count', better: 'none' },
  { key: 'silentAgent', kind: 'count', better: 'down' },
  { key: 'occupancy', kind: 'rate', better: 'none' },
  { key: 'meanLoad', kind: 'score', better: 'none' },
];

/**
 * The per-agent table's columns (the agent first).
 * @type {{ key: FigureKey, kind: Kind }[]}
 */
export const agentColumns = [
  { key: 'handled', kind: 'count' },
  { key: 'shopperMessages', kind: 'count' },
  { key: 'replyRate24h', kind: 'rate' },
  { key: 'firstResponseP50S', kind: 'seconds' },
  { key: 'firstResponseMeanS', kind: 'seconds' },
  { key: 'responseMeanS', kind: 'seconds' },
  { key: 'ratings', kind: 'count' },
  { key: 'satisfactionRate', kind: 'rate' },
  { key: 'ratingParticipation', kind: 'rate' },
  { key: 'meanScore', kind: 'score' },
  { key: 'transfers', kind: 'count' },
  { key: 'silentAgent', kind: 'count' },
  { key: 'onlineS', kind: 'duration' },
  { key: 'awayS', kind: 'duration' },
  { key: 'occupancy', kind: 'rate' },
  { key: 'meanLoad', kind: 'score' },
];

/**
 * A figure as the page writes it; `none` for a figure with nothing to
 * measure (null: no ratings, no waits…).
 * @param {number | null} value @param {Kind} kind @param {string} lang @param {string} none
 */
export function formatFigure(value, kind, lang, none) {
  if (value === null) return none;
  const number = (/** @type {number} */ n, /** @type {number} */ digits) =>
    n.toLocaleString(lang, { maximumFractionDigits: digits });
  switch (kind) {
    case 'rate':
      return `${number(value * 100, 1)}%`;
    case 'seconds':
      // Sub-second first responses (a quick agent, a chart's ticks) keep two digits.
      return value < 60
        ? `${number(value, value < 1 ? 2 : 1)} s`
        : `${Math.floor(value / 60)} min ${number(value % 60, 0)} s`;
    case 'duration':
      // An agent's hours online: hours and minutes, or minutes under an hour.
      return value < 3600
        ? `${number(Math.round(value / 60), 0)} min`
        : `${Math.floor(value / 3600)} h ${number(Math.floor((value % 3600) / 60), 0)} min`;
    case 'score':
      return number(value, 2);
    default:
      return number(value, 0);
  }
}

/** A local date (YYYY-MM-DD) of an instant in a time zone. @param {Date} at @param {string} timeZone */
export function localDate(at, timeZone) {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(at);
}

/** The day `days` after a local date (negative: before). @param {string} date @param {number} days */
export function addDays(date, days) {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/**
 * The local days a preset period covers, ending today in the tenant's zone.
 * @param {'today' | '7d' | '30d'} preset @param {string} today
 */
export function presetRange(preset, today) {
  const length = preset === 'today' ? 1 : preset === '7d' ? 7 : 30;
  return { from: addDays(today, 1 - length), to: today };
}
