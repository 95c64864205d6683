// Older history of the open chat, paged backwards over
// `GET /api/v1/sessions/{id}/messages?beforeSeq=`: the chat opens with its
// latest page, and scrolling to the top (or "Load earlier messages") adds
// the page before the oldest one shown. Pages go through placeBySeq, which
// keeps seq order and shows a message once, however it arrived.
import { placeBySeq } from '/shared/render-message.js';

/** Close enough to the top to fetch the page before (px). */
const nearTop = 40;

/**
 * @param {{
 *   list: HTMLElement,
 *   button: HTMLButtonElement,
 *   fetchBefore: (sessionId: string, beforeSeq: number) => Promise<import('../../domain/socket-events').MessagePage>,
 *   render: (message: import('../../domain/socket-events').ChatMessage) => HTMLElement,
 *   onError: (error: Error) => void,
 * }} deps
 */
export function earlierMessages({ list, button, fetchBefore, render, onError }) {
  /** @type {{ sessionId: string, oldest: number, hasMore: boolean } | undefined} */
  let state;
  let loading = false;

  function drawButton() {
    button.hidden = !state?.hasMore;
    button.disabled = loading;
  }

  async function loadEarlier() {
    if (!state?.hasMore || loading) return;
    const asked = state;
    loading = true;
    drawButton();
    try {
      const page = await fetchBefore(asked.sessionId, asked.oldest);
      if (state !== asked) return;
      // Keep what the agent is reading where it is while older messages go in above it.
      const fromBottom = list.scrollHeight - list.scrollTop;
      for (const message of page.messages) placeBySeq(list, render(message));
      list.scrollTop = list.scrollHeight - fromBottom;
      asked.oldest = page.messages[0]?.seq ?? 1;
      asked.hasMore = page.hasMore && asked.oldest > 1;
    } catch (error) {
      onError(/** @type {Error} */ (error));
    } finally {
      loading = false;
      drawButton();
    }
  }

  list.addEventListener('scroll', () => {
    if (list.scrollTop < nearTop) void loadEarlier();
  });
  button.addEventListener('click', () => void loadEarlier());

  return {
    /**
     * A chat was opened with `oldest` as its first shown seq.
     * @param {string} sessionId @param {number} oldest @param {boolean} hasMore
     */
    reset(sessionId, oldest, hasMore) {
      state = { sessionId, oldest, hasMore: hasMore && oldest > 1 };
      drawButton();
    },
    stop() {
      state = undefined;
      drawButton();
    },
  };
}
