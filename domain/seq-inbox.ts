import type { ChatMessage } from './message';

/**
 * The receiving side of DESIGN.md §6, shared with browser code: live
 * messages may arrive late, twice, or ahead of one still in flight (two
 * gateway nodes emit independently), so a receiver hands messages on
 * strictly in seq order, drops what it has, and asks for a resync from its
 * last seq when it sees a gap. The stored seq is the guarantee; this turns
 * it into "every message once, in order".
 */
export interface SeqInbox {
  /** A live or synced message; returns the messages now delivered, in order. */
  accept(message: ChatMessage): ChatMessage[];
  /** The last seq delivered in order: where a resync starts. */
  readonly lastSeq: number;
  /** Whether messages beyond a gap are waiting. */
  readonly hasGap: boolean;
}

export function seqInbox(lastSeq = 0): SeqInbox {
  let last = lastSeq;
  const ahead = new Map<number, ChatMessage>();
  return {
    accept(message) {
      if (message.seq <= last) return [];
      ahead.set(message.seq, message);
      const delivered: ChatMessage[] = [];
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
