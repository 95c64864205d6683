import { lastStoredSeq } from '../../stores/seq-probe';

/** A session whose seqs 1..end are stored, counting the lookups made. */
function session(end: number) {
  const asked: number[] = [];
  return {
    asked,
    isStored: (seq: number) => {
      asked.push(seq);
      return Promise.resolve(seq >= 1 && seq <= end);
    },
  };
}

describe('last stored seq', () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 0],
    [37, 0],
    [37, 36],
    [37, 37],
    [1_000, 0],
    [1_000, 990],
  ])(
    'when seqs 1..%i are stored and the search starts at %i, then it finds the end',
    async (end, from) => {
      const s = session(end);
      expect(await lastStoredSeq(s.isStored, from)).toBe(end);
      // Galloping then halving: about twice the log of the distance, never a scan.
      const distance = end - from;
      expect(s.asked.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(distance + 1)) + 1);
    },
  );

  it('when the lower bound is current, then one lookup confirms it', async () => {
    const s = session(12);
    await lastStoredSeq(s.isStored, 12);
    expect(s.asked).toEqual([13]);
  });
});
