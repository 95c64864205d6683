// The watched chat's private notes on the monitor: supervisors read what the
// agents wrote for each other (and transfer notes) among the messages, read
// on watching and live through `note:new`.
import { callApi } from '/shared/api.js';
import { notePlacer } from '/shared/render-note.js';

/** @typedef {import('../../domain/socket-events').SessionNote} SessionNote */

/**
 * @param {{ list: HTMLElement, token: () => string, t: (key: string, values?: Record<string, string>) => string, lang: () => string }} parts
 */
export function watchNotes({ list, token, t, lang }) {
  let watching = '';
  const placer = notePlacer(
    list,
    (note) =>
      note.transfer
        ? t('transferNote', { from: note.transfer.fromAgentId })
        : t('noteBy', { id: note.authorId }),
    lang,
  );
  return {
    /** A chat is now watched (its list was cleared). @param {string} sessionId */
    async watch(sessionId) {
      watching = sessionId;
      placer.reset();
      try {
        const notes = /** @type {SessionNote[]} */ (
          await callApi('GET', `/api/v1/sessions/${sessionId}/notes`, { token: token() })
        );
        if (watching === sessionId) for (const note of notes) placer.place(note);
      } catch {
        // The messages still show; notes that arrive live are placed all the same.
      }
    },
    /** @param {SessionNote} note */
    arrived(note) {
      if (note.sessionId === watching) placer.place(note);
    },
  };
}
