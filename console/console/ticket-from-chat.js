// "Make a ticket from this chat" in the customer panel: the agent writes
// what is to be done; the engine links the ticket to the session and the
// customer and keeps the chat's context (POST /api/v1/sessions/:id/tickets).
// One Idempotency-Key per written ticket: a retry after a lost answer never
// makes a second one.
import { clientMsgId } from '/shared/api.js';
import { byId } from '/shared/dom.js';
import { me } from './state.js';

/**
 * @typedef {import('/shared/route-views.js').Ticket} Ticket
 * @param {{ t: (key: string, values?: Record<string, string | number>) => string }} deps
 */
export function ticketFromChat({ t }) {
  const details = /** @type {HTMLDetailsElement} */ (byId('tf'));
  const form = /** @type {HTMLFormElement} */ (byId('tf-form'));
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'));
  const done = /** @type {HTMLElement} */ (form.querySelector('.form-ok'));
  const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  /** @type {string | undefined} */
  let sessionId;
  /** The key of the ticket being written: kept until it is made. */
  let key = clientMsgId();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!sessionId) return;
    const data = new FormData(form);
    const content = String(data.get('content') ?? '').trim();
    error.textContent = '';
    done.textContent = '';
    submit.disabled = true;
    try {
      const response = await fetch(`/api/v1/sessions/${sessionId}/tickets`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${me.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({
          content,
          ...(data.get('assignToMe') ? { assigneeId: me.agentId } : {}),
        }),
      });
      const answer = /** @type {Ticket & { error?: { message: string } }} */ (
        await response.json()
      );
      if (!response.ok) throw new Error(answer.error?.message ?? `HTTP ${response.status}`);
      key = clientMsgId();
      form.reset();
      done.textContent = t('ticketCreated', { id: answer.ticketId });
      done.dataset.ticketId = answer.ticketId;
    } catch (caught) {
      error.textContent = /** @type {Error} */ (caught).message;
    } finally {
      submit.disabled = false;
    }
  });

  return {
    /** @param {string} id */
    open(id) {
      if (sessionId === id) return;
      sessionId = id;
      key = clientMsgId();
      form.reset();
      details.open = false;
      error.textContent = '';
      done.textContent = '';
      delete done.dataset.ticketId;
    },
  };
}
