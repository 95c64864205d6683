/**
 * The last stored seq of a session, found by looking up single seqs (one
 * `_id` each) rather than by sorting the session's messages, which FerretDB
 * would do by scanning every message of every tenant. Seqs are gapless, so
 * "seq n is stored" is true up to the last one and false after it: a
 * galloping search from any known-stored lower bound finds the end in about
 * 2·log2(distance) lookups, and in one lookup when the bound is current.
 */
export async function lastStoredSeq(
  isStored: (seq: number) => Promise<boolean>,
  lowerBound = 0,
): Promise<number> {
  let known = lowerBound;
  let step = 1;
  // Gallop: known stays stored, known + step is the next guess.
  while (await isStored(known + step)) {
    known += step;
    step *= 2;
  }
  // The end lies in [known, known + step): halve the gap.
  let missing = known + step;
  while (missing - known > 1) {
    const middle = known + Math.floor((missing - known) / 2);
    if (await isStored(middle)) known = middle;
    else missing = middle;
  }
  return known;
}
