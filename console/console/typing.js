// Typing in the open chat, both ways: the agent's own typing is told to the
// shopper (only while the agent holds the chat; the server checks too), and
// the shopper's shows as "typing…" above the composer.
import { showTyping, tellTyping } from '/shared/typing.js';
import { current, sessions, socket, ui } from './state.js';

/** @param {HTMLElement} indicator */
export function chatTyping(indicator) {
  const shown = showTyping(indicator);
  const own = tellTyping(ui.replyText, (typing) => {
    const chat = current;
    if (!chat || chat.ended || sessions.get(chat.sessionId)?.phase !== 'assigned') return;
    if (socket?.connected) {
      socket.emit('typing', { sessionId: chat.sessionId, typing }, () => undefined);
    }
  });
  return {
    /** @param {import('../../domain/socket-events').TypingNotice} notice */
    notice(notice) {
      if (notice.by === 'visitor' && current?.sessionId === notice.sessionId) {
        shown.notice(notice.typing);
      }
    },
    /** The shopper's message arrived, or another chat opened. */
    hide: shown.hide,
    /** The agent sent, or the chat changed: the shopper is told the typing stopped. */
    stop: own.stop,
  };
}
