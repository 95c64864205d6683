// The leave-message tickets tab: the tenant's open tickets (left by
// shoppers outside working hours or with no one to take them), read when
// the tab is shown; and the switch between it and the sessions view.
import { clock, el, show } from '/shared/dom.js';
import { api, i18n, ui } from './state.js';

/** @typedef {import('/shared/route-views.js').Ticket} Ticket */

async function loadTickets() {
  const { items } = /** @type {{ items: Ticket[] }} */ (
    await api('GET', '/api/v1/tickets?status=open&limit=50')
  );
  ui.tickets.replaceChildren(
    ...items.map((ticket) =>
      el('tr', { attrs: { 'data-ticket-id': ticket.ticketId } }, [
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
        el('td', { text: ticket.content }),
        el('td', { text: ticket.status }),
      ]),
    ),
  );
}

/** @param {'sessions' | 'tickets'} tab */
export function showTab(tab) {
  show(ui.sessionsView, tab === 'sessions');
  show(ui.ticketsView, tab === 'tickets');
  if (tab === 'tickets') void loadTickets();
}
