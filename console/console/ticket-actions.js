// What the tickets tab lets staff do with a ticket: a supervisor assigns it
// to an agent of the shop (the engine checks the agent exists in the shop)
// and resolves any; an agent takes an unassigned ticket and resolves their
// own, with a note. Each action answers with the ticket, and the tab is
// drawn again.
import { el } from '/shared/dom.js';
import { api, me, t } from './state.js';

/** @typedef {import('/shared/route-views.js').Ticket} Ticket */

/** The shop's agents for the assign list: read once per tab visit, supervisors only. */
let roster = /** @type {Promise<string[]> | undefined} */ (undefined);

export function forgetRoster() {
  roster = undefined;
}

function agentIds() {
  roster ??= /** @type {Promise<{ items: { agentId: string }[] }>} */ (
    api('GET', '/api/v1/agents')
  ).then(
    ({ items }) => items.map((a) => a.agentId).sort(),
    () => [],
  );
  return roster;
}

/**
 * The actions cell of one ticket's row.
 * @param {Ticket & { status: string }} ticket
 * @param {() => void} redraw
 */
export function ticketActions(ticket, redraw) {
  const cell = el('td', { class: 'ticket-actions' });
  if (ticket.status === 'resolved') return cell;
  const error = el('span', { class: 'form-error', attrs: { role: 'alert' } });
  /** @param {string} path @param {unknown} body */
  const act = async (path, body) => {
    error.textContent = '';
    try {
      await api('POST', `/api/v1/tickets/${ticket.ticketId}/${path}`, body);
      redraw();
    } catch (caught) {
      error.textContent = /** @type {Error} */ (caught).message;
    }
  };
  const supervisor = me.role === 'supervisor';
  if (supervisor) {
    const select = /** @type {HTMLSelectElement} */ (
      el('select', { class: 'ticket-assignee', attrs: { 'aria-label': t('ticketAssignTo') } }, [
        el('option', { text: t('ticketAssignTo'), attrs: { value: '' } }),
      ])
    );
    void agentIds().then((ids) =>
      select.append(
        ...ids.map((id) =>
          el('option', {
            text: id,
            attrs: { value: id, ...(id === ticket.assigneeId ? { selected: '' } : {}) },
          }),
        ),
      ),
    );
    cell.append(
      select,
      el('button', {
        class: 'secondary ticket-assign',
        text: t('ticketAssign'),
        attrs: { type: 'button' },
        on: { click: () => select.value && void act('assign', { agentId: select.value }) },
      }),
    );
  } else if (!ticket.assigneeId) {
    cell.append(
      el('button', {
        class: 'secondary ticket-take',
        text: t('ticketTake'),
        attrs: { type: 'button' },
        on: { click: () => void act('assign', { agentId: me.agentId }) },
      }),
    );
  }
  if (supervisor || ticket.assigneeId === me.agentId) {
    const note = /** @type {HTMLInputElement} */ (
      el('input', {
        class: 'ticket-resolution',
        attrs: {
          maxlength: '2000',
          placeholder: t('ticketResolution'),
          'aria-label': t('ticketResolution'),
        },
      })
    );
    cell.append(
      note,
      el('button', {
        class: 'ticket-resolve',
        text: t('ticketResolve'),
        attrs: { type: 'button' },
        on: {
          click: () => {
            const resolution = note.value.trim();
            void act('resolve', resolution ? { resolution } : {});
          },
        },
      }),
    );
  }
  cell.append(error);
  return cell;
}
