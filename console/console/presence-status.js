// The status select shows the status the engine holds for this agent: the
// one this tab chose, another tab's choice, or one the engine made (away
// after no console for the grace, restored on reconnect, or set by an admin
// or supervisor), pushed to every tab as `agent:status`. A status the engine
// chose reads "Away (disconnected)" so the agent knows why.
import { t, ui } from './state.js';

/**
 * @typedef {import('../../domain/socket-events').AgentStatusNotice} AgentStatusNotice
 */

/** Shows `status` (with its reason, when the engine chose it) in the select. */
export function showStatus(/** @type {AgentStatusNotice} */ { status, reason }) {
  ui.presence.value = status;
  const away = /** @type {HTMLOptionElement | null} */ (
    ui.presence.querySelector('option[value="away"]')
  );
  if (!away) return;
  // data-i18n too, so a change of language keeps the reason.
  away.dataset.i18n = status === 'away' && reason === 'disconnected' ? 'awayDisconnected' : 'away';
  away.textContent = t(away.dataset.i18n);
}
