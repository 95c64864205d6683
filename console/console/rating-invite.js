// 邀评: the agent sends the rating card mid-chat; the shopper may rate at
// once. The server posts the card once per chat (a second click changes
// nothing) and only for the agent the chat is assigned to.
import { api, current, t, ui } from './state.js';

/** @param {HTMLButtonElement} button */
export function ratingInvite(button) {
  button.addEventListener('click', async () => {
    const chat = current;
    if (!chat || chat.ended) return;
    button.disabled = true;
    ui.chatError.textContent = '';
    try {
      await api('POST', `/api/v1/sessions/${chat.sessionId}/rating-invite`);
      if (current === chat) ui.chatError.textContent = t('ratingInvited');
    } catch (error) {
      if (current === chat) ui.chatError.textContent = /** @type {Error} */ (error).message;
    } finally {
      button.disabled = false;
    }
  });
}
