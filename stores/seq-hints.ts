import { lru } from './lru';

/**
 * The last seq this process saw stored, per session: a guess at the next
 * number that saves looking up the session's end before every append. It is
 * only a hint — the unique message key decides. A hint can only be behind
 * the truth (it is set from seqs known to be stored, and messages are never
 * deleted), so a stale one makes the insert collide and the writer looks
 * further; it can never skip a number.
 */
export interface SeqHints {
  get(key: string): number | undefined;
  /** Records a stored seq; never moves a hint backwards. */
  set(key: string, seq: number): void;
  forget(key: string): void;
}

/** At most `capacity` sessions; the least recently used are forgotten first. */
export function seqHints(capacity = 10_000): SeqHints {
  const hints = lru<number>(capacity);
  return {
    get: (key) => hints.get(key),
    set(key, seq) {
      hints.set(key, Math.max(seq, hints.get(key) ?? 0));
    },
    forget: (key) => hints.delete(key),
  };
}
