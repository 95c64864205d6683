// The shopper ends the chat themselves: the button asks first ("End this
// chat?"), and only a yes closes the session (POST …/close with the
// visitor token, the same close the agent has). The rating follows as
// after any close.

/**
 * @param {{
 *   button: HTMLButtonElement,
 *   confirm: HTMLElement,
 *   close: () => Promise<void>,
 *   onError: (error: Error) => void,
 * }} parts `confirm` holds the yes (`.end-yes`) and no (`.end-no`) buttons
 */
export function endChat({ button, confirm, close, onError }) {
  const yes = /** @type {HTMLButtonElement} */ (confirm.querySelector('.end-yes'));
  const no = /** @type {HTMLButtonElement} */ (confirm.querySelector('.end-no'));
  button.addEventListener('click', () => {
    confirm.hidden = false;
    yes.focus();
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await close();
      confirm.hidden = true;
    } catch (error) {
      onError(/** @type {Error} */ (error));
    } finally {
      yes.disabled = false;
    }
  });
  return {
    /** Whether the chat can still be ended (not over yet). @param {boolean} open */
    draw(open) {
      button.hidden = !open;
      if (!open) confirm.hidden = true;
    },
  };
}
