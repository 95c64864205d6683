import { seqHints } from '../../stores/seq-hints';

describe('seq hints', () => {
  it('when a lower seq is recorded after a higher one, then the hint stays at the higher', () => {
    const hints = seqHints();
    hints.set('s', 7);
    hints.set('s', 5);
    expect(hints.get('s')).toBe(7);
  });

  it('when more sessions than the capacity are hinted, then the least recently used is forgotten', () => {
    const hints = seqHints(2);
    hints.set('a', 1);
    hints.set('b', 1);
    hints.get('a');
    hints.set('c', 1);
    expect([hints.get('a'), hints.get('b'), hints.get('c')]).toEqual([1, undefined, 1]);
  });

  it('when a hint is forgotten, then there is none until the next stored seq', () => {
    const hints = seqHints();
    hints.set('s', 3);
    hints.forget('s');
    expect(hints.get('s')).toBeUndefined();
  });
});
