// Private notes in the open chat: written by its agent or a supervisor for
// colleagues (the agent who takes it over, a supervisor watching), never
// shown to the shopper (the server keeps them apart from the messages). A
// note sits in the chat after the message that was last when it was
// written; a transfer's note says who handed the chat over. Live notes
// arrive as `note:new` on the agent socket.
import { clientMsgId } from '/shared/api.js';
import { notePlacer } from '/shared/render-note.js';
import { api, current, i18n, t, ui } from './state.js';

/** @typedef {import('../../domain/socket-events').SessionNote} SessionNote */

/**
 * @param {{
 *   form: HTMLFormElement,
 *   text: HTMLTextAreaElement,
 *   toggle: HTMLButtonElement,
 * }} parts the note form under the composer and the tool button that opens it
 */
export function sessionNotes({ form, text, toggle }) {
  /** The chat whose notes are shown. */
  let shownFor = '';
  const placer = notePlacer(
    ui.messages,
    (note) =>
      note.transfer
        ? t('transferNote', { from: note.transfer.fromAgentId })
        : t('noteBy', { id: note.authorId }),
    () => i18n.lang,
  );

  /** @param {SessionNote} note */
  function place(note) {
    if (note.sessionId === shownFor) placer.place(note);
  }

  /**
   * A chat was opened: its notes, read again each time (the list may have
   * been cleared; a note placed twice takes its own place again, as its
   * place number follows the notes' order).
   * @param {string} sessionId
   */
  async function open(sessionId) {
    shownFor = sessionId;
    placer.reset();
    form.hidden = true;
    try {
      const notes = /** @type {SessionNote[]} */ (
        await api('GET', `/api/v1/sessions/${sessionId}/notes`)
      );
      for (const note of notes) place(note);
    } catch {
      // Not shown here: the chat's own read of its messages says why (e.g. another agent's
      // ended chat), and a note arriving live is placed all the same.
    }
  }

  toggle.addEventListener('click', () => {
    form.hidden = !form.hidden;
    if (!form.hidden) text.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chat = current;
    const body = text.value.trim();
    if (!chat || !body) return;
    ui.chatError.textContent = '';
    try {
      const note = /** @type {SessionNote} */ (
        await api('POST', `/api/v1/sessions/${chat.sessionId}/notes`, {
          text: body,
          clientNoteId: clientMsgId(),
        })
      );
      text.value = '';
      place(note);
    } catch (error) {
      ui.chatError.textContent = /** @type {Error} */ (error).message;
    }
  });

  return {
    open,
    /** A note from the socket: shown when its chat is open. @param {SessionNote} note */
    arrived: place,
    /** No chat open any more. */
    close() {
      shownFor = '';
      form.hidden = true;
    },
  };
}
