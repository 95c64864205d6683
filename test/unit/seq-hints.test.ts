import { seqHints } from '../../stores/seq-hints';

const tip = (seq: number) => ({ seq, visitorCount: seq });

describe('seq hints', () => {
  it('when a lower seq is recorded after a higher one, then the hint stays at the higher', () => {
    const hints = seqHints();
    hints.set('s', tip(7));
    hints.set('s', tip(5));
    expect(hints.get('s')).toEqual(tip(7));
  });

  it('when more sessions than the capacity are hinted, then the least recently used is forgotten', () => {
    const hints = seqHints(2);
    hints.set('a', tip(1));
    hints.set('b', tip(1));
    hints.get('a');
    hints.set('c', tip(1));
    expect([hints.get('a'), hints.get('b'), hints.get('c')]).toEqual([tip(1), undefined, tip(1)]);
  });

  it('when a hint is forgotten, then there is none until the next stored seq', () => {
    const hints = seqHints();
    hints.set('s', tip(3));
    hints.forget('s');
    expect(hints.get('s')).toBeUndefined();
  });
});
