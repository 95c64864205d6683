/**
 * The last seq this process saw stored, per session: a guess at the next
 * number that saves reading the stored maximum before every append. It is
 * only a hint — MongoDB's unique (session, seq) index still decides. A hint
 * can only be behind the truth (it is set from seqs known to be stored, and
 * messages are never deleted), so a stale one makes the insert collide and
 * the writer re-reads the maximum; it can never skip a number.
 */
export interface SeqHints {
  get(key: string): number | undefined;
  /** Records a stored seq; never moves a hint backwards. */
  set(key: string, seq: number): void;
  forget(key: string): void;
}

/** At most `capacity` sessions; the least recently used are forgotten first. */
export function seqHints(capacity = 10_000): SeqHints {
  const hints = new Map<string, number>();
  return {
    get(key) {
      const seq = hints.get(key);
      if (seq === undefined) return undefined;
      // Re-inserting keeps the Map's order by last use.
      hints.delete(key);
      hints.set(key, seq);
      return seq;
    },
    set(key, seq) {
      const current = hints.get(key);
      hints.delete(key);
      hints.set(key, Math.max(seq, current ?? 0));
      if (hints.size > capacity) {
        const oldest = hints.keys().next();
        if (!oldest.done) hints.delete(oldest.value);
      }
    },
    forget(key) {
      hints.delete(key);
    },
  };
}
