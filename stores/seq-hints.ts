import { lru } from './lru';

/** The last message this process knows stored in a session: its seq and running counts. */
export interface Tip {
  seq: number;
  /** Shopper messages in the session up to and including `seq`. */
  visitorCount: number;
  /** When the shopper and an agent last wrote, up to `seq`. */
  lastVisitorAt?: Date;
  lastAgentAt?: Date;
}

/**
 * The last message this process saw stored, per session: a guess at the
 * next number that saves looking up the session's end before every append.
 * It is only a hint — the unique message key decides. A hint can only be
 * behind the truth (it is set from messages known to be stored, and messages
 * are never deleted), so a stale one makes the insert collide and the writer
 * looks further; it can never skip a number.
 */
export interface SeqHints {
  get(key: string): Tip | undefined;
  /** Records a stored message; never moves a hint backwards. */
  set(key: string, tip: Tip): void;
  forget(key: string): void;
}

/** At most `capacity` sessions; the least recently used are forgotten first. */
export function seqHints(capacity = 10_000): SeqHints {
  const hints = lru<Tip>(capacity);
  return {
    get: (key) => hints.get(key),
    set(key, tip) {
      const known = hints.get(key);
      hints.set(key, known && known.seq > tip.seq ? known : tip);
    },
    forget: (key) => hints.delete(key),
  };
}
