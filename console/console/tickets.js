// The tickets tab: the tenant's tickets still to handle — left by shoppers
// outside working hours or with no one to take them, or made by agents from
// a chat — read when the tab is shown, with what staff may do with each
// (ticket-actions.js); and the switch between it and the sessions view.
import { clock, el, show } from '/shared/dom.js';
import { api, i18n, t, ui } from './state.js';
import { forgetRoster, ticketActions } from './ticket-actions.js';

/** @typedef {import('/shared/route-views.js').Ticket} Ticket */

async function loadTickets() {
  // Open ones first, then assigned ones, each newest first.
  const [open, assigned] = await Promise.all(
    ['open', 'assigned'].map(
      (status) =>
        /** @type {Promise<{ items: Ticket[] }>} */ (
          api('GET', `/api/v1/tickets?status=${status}&limit=50`)
        ),
    ),
  );
  const items = [...(open?.items ?? []), ...(assigned?.items ?? [])];
  ui.tickets.replaceChildren(
    ...items.map((ticket) =>
      el('tr', { attrs: { 'data-ticket-id': ticket.ticketId, 'data-status': ticket.status } }, [
        el('td', {
          text: `${new Date(ticket.createdAt).toLocaleDateString(i18n.lang)} ${clock(ticket.createdAt, i18n.lang)}`,
        }),
        el('td', { text: ticket.visitorId }),
        el('td', {
          text: [
            ticket.contact.name,
            ticket.contact.phone,
            ticket.contact.email,
            ticket.contact.orderRef,
          ]
            .filter(Boolean)
            .join(' · '),
        }),
        el('td', {}, [
          ...(ticket.source === 'chat'
            ? [el('span', { class: 'ticket-source', text: t('ticketFromChatMark') })]
            : []),
          el('span', { text: ticket.content }),
        ]),
        el('td', {
          class: 'ticket-status',
          text: t(`ticketStatus_${ticket.status}`, { agent: ticket.assigneeId ?? '' }),
        }),
        ticketActions(ticket, () => void loadTickets()),
      ]),
    ),
  );
}

/** @param {'sessions' | 'tickets'} tab */
export function showTab(tab) {
  show(ui.sessionsView, tab === 'sessions');
  show(ui.ticketsView, tab === 'tickets');
  if (tab === 'tickets') {
    forgetRoster();
    void loadTickets();
  }
}
