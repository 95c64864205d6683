import { seqInbox } from './seq-inbox.js';

/**
 * One session's messages as the page shows them: live messages and sync pages
 * both go through a seq inbox, so each message is handed on once, in order.
 * A gap, a reconnect or an explicit `resync()` pulls from the last seq,
 * page by page while the server says there is more. Only one pull runs at a
 * time; a request during a pull runs one more pull after it. `startAfter`
 * starts the stream mid-history (the page that is already shown ends there;
 * older pages are the caller's, see console/console/earlier-messages.js).
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
 * @typedef {import('@socket.io/component-emitter').EventsMap} EventsMap
 * @typedef {import('../../domain/socket-events').Ack<unknown>} AnyAck
 */
/**
 * What a request's ack carries when it succeeds, read from the event's
 * signature in domain/socket-events.ts.
 * @template Handler
 * @typedef {Handler extends (request: never, ack: (result: import('../../domain/socket-events').Ack<infer T>) => void) => void ? T : never} AckData
 */

/**
 * Emits a socket request and resolves with its ack's data (rejects on an
 * error ack or when no ack arrives in time, e.g. while offline). The socket
 * is typed with its namespace's events (domain/socket-events.ts), so the
 * event's name, its request and its answer are checked where it is called.
 * @template {EventsMap} Listen
 * @template {EventsMap} Emit
 * @template {keyof Emit & string} Name
 * @param {import('socket.io-client').Socket<Listen, Emit>} socket
 * @param {Name} event
 * @param {Parameters<Emit[Name]>[0]} payload
 * @param {number} [timeoutMs]
 * @returns {Promise<AckData<Emit[Name]>>}
 */
export function request(socket, event, payload, timeoutMs = 10_000) {
  const untyped = /** @type {import('socket.io-client').Socket} */ (socket);
  return new Promise((resolve, reject) => {
    untyped
      .timeout(timeoutMs)
      .emit(event, payload, (/** @type {Error | null} */ error, /** @type {AnyAck} */ result) => {
        if (error) return reject(new Error(`${event}: no answer`));
        if (!result.ok) return reject(new Error(result.error.message));
        resolve(/** @type {AckData<Emit[Name]>} */ (result.data));
      });
  });
}

/**
 * Follows the browser's own idea of the network: when it goes offline the
 * socket is dropped at once (instead of waiting for ping timeouts), and when
 * it comes back the socket reconnects and the caller resyncs from its seq.
 * @param {{ connect: () => unknown, disconnect: () => unknown }} socket
 */
export function followNetwork(socket) {
  window.addEventListener('offline', () => socket.disconnect());
  window.addEventListener('online', () => socket.connect());
}
