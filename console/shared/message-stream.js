import { seqInbox } from './seq-inbox.js';

/**
 * One session's messages as the page shows them: live messages and sync pages
 * both go through a seq inbox, so each message is handed on once, in order.
 * A gap, a reconnect or an explicit `resync()` pulls from the last seq,
 * page by page while the server says there is more. Only one pull runs at a
 * time; a request during a pull runs one more pull after it. `startAfter`
 * starts the stream mid-history (the page that is already shown ends there;
 * older pages are the caller's, see history.js).
 *
 * @param {{
 *   sync: (afterSeq: number) => Promise<{ messages: Array<{ seq: number }>, hasMore: boolean }>,
 *   deliver: (messages: Array<{ seq: number }>) => void,
 *   onError?: (error: Error) => void,
 *   startAfter?: number,
 * }} options
 */
export function messageStream({ sync, deliver, onError, startAfter = 0 }) {
  const inbox = seqInbox(startAfter);
  let pulling = false;
  let again = false;

  /**
   * Live messages, or a page the caller fetched: handed on in one batch, so
   * the page reacts once (one read receipt, one scroll) per batch.
   * @param {...{ seq: number }} messages
   */
  function accept(...messages) {
    const delivered = messages.flatMap((message) => inbox.accept(message));
    if (delivered.length) deliver(delivered);
    if (inbox.hasGap) void resync();
  }

  async function resync() {
    if (pulling) {
      again = true;
      return;
    }
    pulling = true;
    try {
      do {
        again = false;
        for (;;) {
          const page = await sync(inbox.lastSeq);
          const delivered = page.messages.flatMap((message) => inbox.accept(message));
          if (delivered.length) deliver(delivered);
          if (!page.hasMore || page.messages.length === 0) break;
        }
      } while (again);
    } catch (error) {
      onError?.(/** @type {Error} */ (error));
    } finally {
      pulling = false;
    }
  }

  return {
    accept,
    resync,
    get lastSeq() {
      return inbox.lastSeq;
    },
  };
}

/**
 * Emits a socket request and resolves with its ack's data (rejects on an
 * error ack or when no ack arrives in time, e.g. while offline).
 * @param {import('./types.js').Socket} socket
 * @param {string} event
 * @param {unknown} payload
 * @param {number} [timeoutMs]
 * @returns {Promise<unknown>} the ack's data: callers name its shape (see types.js)
 */
export function request(socket, event, payload, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    socket
      .timeout(timeoutMs)
      .emit(
        event,
        payload,
        (
          /** @type {Error | null} */ error,
          /** @type {{ ok: true, data: unknown } | { ok: false, error: { message: string } }} */ result,
        ) => {
          if (error) return reject(new Error(`${event}: no answer`));
          if (!result.ok) return reject(new Error(result.error.message));
          resolve(result.data);
        },
      );
  });
}

/**
 * Follows the browser's own idea of the network: when it goes offline the
 * socket is dropped at once (instead of waiting for ping timeouts), and when
 * it comes back the socket reconnects and the caller resyncs from its seq.
 * @param {import('./types.js').Socket} socket
 */
export function followNetwork(socket) {
  window.addEventListener('offline', () => socket.disconnect());
  window.addEventListener('online', () => socket.connect());
}
