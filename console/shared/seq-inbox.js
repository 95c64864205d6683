// The browser copy of domain/seq-inbox.ts (the pages are served without a
// build step, so they cannot import the TypeScript module). Same contract:
// hand messages on strictly in seq order, drop what was delivered, and report
// a gap so the caller resyncs from `lastSeq`. Keep the two in step by hand;
// the browser tests (reconnect and resync) exercise this copy.

/**
 * @template {{ seq: number }} M
 * @param {number} [lastSeq]
 */
export function seqInbox(lastSeq = 0) {
  let last = lastSeq;
  /** @type {Map<number, M>} */
  const ahead = new Map();
  return {
    /**
     * @param {M} message
     * @returns {M[]} the messages now delivered, in order
     */
    accept(message) {
      if (message.seq <= last) return [];
      ahead.set(message.seq, message);
      /** @type {M[]} */
      const delivered = [];
      for (let next = ahead.get(last + 1); next; next = ahead.get(last + 1)) {
        ahead.delete(next.seq);
        delivered.push(next);
        last = next.seq;
      }
      return delivered;
    },
    get lastSeq() {
      return last;
    },
    get hasGap() {
      return ahead.size > 0;
    },
  };
}
