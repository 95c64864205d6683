import { clock, el } from './dom.js';
import { placeBySeq } from './render-message.js';

/**
 * Private staff notes among a chat's messages (console and monitor; never
 * the widget): each note sits after the message that was last when it was
 * written, several after one message in the order they came. Text as text.
 *
 * @param {HTMLElement} list the chat's message list
 * @param {(note: import('../../domain/socket-events').SessionNote) => string} who the note's heading
 * @param {() => string} lang
 */
export function notePlacer(list, who, lang) {
  const placed = new Set();
  /** Notes placed after each seq, so several after one message keep their order. */
  const perSeq = new Map();
  return {
    /** Starts over: the list was cleared for another chat. */
    reset() {
      placed.clear();
      perSeq.clear();
    },
    /** @param {import('../../domain/socket-events').SessionNote} note */
    place(note) {
      if (placed.has(note.noteId)) return;
      placed.add(note.noteId);
      const k = (perSeq.get(note.afterSeq) ?? 0) + 1;
      perSeq.set(note.afterSeq, k);
      const item = el(
        'li',
        {
          class: 'message message--note',
          // Between message afterSeq and the next one (placeBySeq orders by this number).
          attrs: { 'data-seq': String(note.afterSeq + k / 1000), 'data-note-id': note.noteId },
        },
        [
          el('span', {
            class: 'message__meta',
            text: `🔒 ${who(note)} · ${clock(note.createdAt, lang())}`,
          }),
          el('span', { class: 'message__text', text: note.text }),
        ],
      );
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      placeBySeq(list, item);
      if (atBottom) list.scrollTop = list.scrollHeight;
    },
  };
}
