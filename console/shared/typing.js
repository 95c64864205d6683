// Typing indicators, both ways (domain/typing.ts has the same timings and
// the rules): while keys are pressed the page says `typing: true` at most
// every few seconds, and `false` when it stops or sends; the other side's
// notices show "typing…" until `false`, or until no repeat came for a while
// (the other side vanished).

/** How often a typing page repeats `true` (domain/typing.ts typingRepeatMs). */
const repeatMs = 3_000;
/** Quiet this long after the last key: the page says it stopped. */
const stopMs = 4_000;
/** No repeat for this long: the indicator goes (domain/typing.ts typingExpireMs). */
const expireMs = 6_000;

/**
 * The page's own typing, told through `emit` (a socket request; its errors
 * are nobody's business: a lost hint is harmless).
 * @param {HTMLInputElement | HTMLTextAreaElement} input
 * @param {(typing: boolean) => void} emit
 */
export function tellTyping(input, emit) {
  let typing = false;
  let sentAt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let quiet;

  function stop() {
    clearTimeout(quiet);
    if (!typing) return;
    typing = false;
    emit(false);
  }

  input.addEventListener('input', () => {
    if (!input.value.trim()) return stop();
    const now = Date.now();
    if (!typing || now - sentAt >= repeatMs) {
      typing = true;
      sentAt = now;
      emit(true);
    }
    clearTimeout(quiet);
    quiet = setTimeout(stop, stopMs);
  });
  input.addEventListener('blur', stop);
  return { stop };
}

/**
 * The other side's typing, shown in `indicator` (its text is the caller's).
 * @param {HTMLElement} indicator
 */
export function showTyping(indicator) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let expiry;
  function hide() {
    clearTimeout(expiry);
    indicator.hidden = true;
  }
  return {
    /** @param {boolean} typing */
    notice(typing) {
      if (!typing) return hide();
      indicator.hidden = false;
      clearTimeout(expiry);
      expiry = setTimeout(hide, expireMs);
    },
    /** A message from the other side arrived: whatever they typed is sent. */
    hide,
  };
}
