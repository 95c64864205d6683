import {
  buildFaqIndex,
  defaultHandoverKeywords,
  faqEntrySchema,
  matchFaq,
  tokenize,
  wantsHuman,
  type FaqEntryInput,
  type FaqMatch,
  type StoredFaq,
} from '../../domain/faq';

const stored = (id: string, input: FaqEntryInput): StoredFaq => ({
  id,
  ...faqEntrySchema.parse(input),
});

const faqs: StoredFaq[] = [
  stored('return', {
    question: '如何退货',
    similar: ['退货流程是什么'],
    answer: '在订单详情页点击“申请售后”，选择退货即可。',
    keywords: ['退款'],
  }),
  stored('ship-time', { question: '什么时候发货', answer: '付款后 48 小时内发货。' }),
  stored('ship-fee', { question: '运费多少', similar: ['包邮吗'], answer: '满 99 元包邮。' }),
  stored('en-return', {
    question: 'How do I return an item?',
    answer: 'Open the order and choose "Return".',
    keywords: ['refund'],
  }),
  stored('en-ship-time', {
    question: 'When will my order ship?',
    answer: 'Within 48 hours of payment.',
  }),
  stored('en-intl', {
    question: 'Do you ship internationally?',
    similar: ['Do you deliver abroad?'],
    answer: 'We ship to 30 countries.',
  }),
];

const index = buildFaqIndex(faqs);
const threshold = 0.35;
const match = (question: string, options = { threshold }): FaqMatch =>
  matchFaq(index, question, options);

/** Every entry that shares anything with the question, best first. */
const ranking = (question: string): FaqMatch['suggestions'] =>
  matchFaq(index, question, { threshold: 1, suggestions: faqs.length }).suggestions;

describe('FAQ tokenize', () => {
  it('when Chinese has no spaces, then it still gives several tokens', () => {
    const tokens = tokenize('退货流程是什么');
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens).toEqual(expect.arrayContaining(['退货', '流程']));
  });

  it('when two phrasings are cut differently by the dictionary, then character pairs still overlap', () => {
    // 什么时候发货 segments as 什么时候 + 发 + 货; the pair 发货 is shared anyway.
    const shared = tokenize('什么时候发货').filter((t) => tokenize('多久能发货呀').includes(t));
    expect(shared).toContain('发货');
  });

  it.each([
    ['How do I return an item?', ['return', 'item'], ['how', 'do', 'i', 'an']],
    ['我想退货怎么办', ['退货'], ['我想', '怎么', '我', '怎么办']],
    ['退货流程是什么', ['退货'], ['是', '什么']],
    ['多久能发货呀', ['发货'], ['能', '呀']],
    // A pair inside a dictionary word can be a stop word too.
    ['什么时候发货', ['什么时候', '发货'], ['什么']],
    ['我的订单呢', ['订单'], ['我的', '呢']],
  ])('when %j has stop words, then they are dropped', (text, kept, dropped) => {
    const tokens = tokenize(text);
    expect(tokens).toEqual(expect.arrayContaining(kept));
    for (const word of dropped) expect(tokens).not.toContain(word);
  });

  it('when text mixes English, digits and Chinese, then each part gives tokens', () => {
    const tokens = tokenize('iPhone 15 怎么退货');
    expect(tokens).toEqual(expect.arrayContaining(['iphone', '15', '退货']));
    expect(tokens).not.toContain('怎么');
  });

  it('when text is full-width or upper case, then it tokenizes as its plain form', () => {
    expect(tokenize('ＩＰＨＯＮＥ　１５，怎么退货？')).toEqual(tokenize('iphone 15 怎么退货'));
  });

  it('when a word repeats, then tokens are distinct and in a stable order', () => {
    const tokens = tokenize('退货 退货 return RETURN');
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokenize('退货 退货 return RETURN')).toEqual(tokens);
  });

  it('when text is only stop words and punctuation, then there are no tokens', () => {
    expect(tokenize('How do I ...? 我的呢？')).toEqual([]);
    expect(tokenize('')).toEqual([]);
  });
});

describe('FAQ matching', () => {
  it.each([
    ['我想退货怎么办', 'return'],
    ['退货流程是什么', 'return'],
    ['iPhone 15 怎么退货', 'return'],
    ['多久能发货呀', 'ship-time'],
    ['什么时候能到货', 'ship-time'],
    ['运费是多少', 'ship-fee'],
  ])('when a shopper asks %j in other words, then the Chinese entry %s answers', (q, id) => {
    expect(match(q).answer?.id).toBe(id);
  });

  it.each([
    ['how can I return this item', 'en-return'],
    ['When does my order ship', 'en-ship-time'],
    ['Do you deliver internationally?', 'en-intl'],
  ])('when a shopper asks %j in other words, then the English entry %s answers', (q, id) => {
    expect(match(q).answer?.id).toBe(id);
  });

  it('when a word is in many entries, then it counts less than a word only one entry has', () => {
    const orders = buildFaqIndex([
      stored('status', { question: 'order status', answer: 'a' }),
      stored('cancel', { question: 'cancel order', answer: 'b' }),
      stored('change', { question: 'change order', answer: 'c' }),
      stored('track', { question: 'track parcel', answer: 'd' }),
    ]);
    // Without IDF both entries share one of two words and tie; the first listed would win.
    const result = matchFaq(orders, 'order parcel', { threshold });
    expect(result.answer?.id).toBe('track');
    expect(result.suggestions[0]?.id).toBe('status');
  });

  it('when a question matches a similar phrasing, then the entry answers with its main question', () => {
    expect(match('包邮吗').answer).toMatchObject({
      id: 'ship-fee',
      question: '运费多少',
      answer: '满 99 元包邮。',
    });
  });

  it('when a question uses only a keyword, then the entry answers; without keywords it does not', () => {
    expect(match('我要退款').answer?.id).toBe('return');
    expect(match('refund please').answer?.id).toBe('en-return');
    const bare = buildFaqIndex(faqs.map(({ keywords: _keywords, ...rest }) => rest));
    expect(matchFaq(bare, '我要退款', { threshold }).answer).toBeUndefined();
    expect(matchFaq(bare, 'refund please', { threshold }).answer).toBeUndefined();
  });

  it('when only case and punctuation differ, then the match is the same', () => {
    const plain = match('how do i return an item');
    expect(plain.answer?.id).toBe('en-return');
    expect(match('HOW DO I RETURN AN ITEM?!')).toEqual(plain);
    expect(match('How... do I return, an item')).toEqual(plain);
  });

  it('when the question is in full-width characters, then it matches as its plain form', () => {
    const plain = match('When will my order ship?');
    expect(plain.answer?.id).toBe('en-ship-time');
    expect(match('ＷＨＥＮ　ＷＩＬＬ　ＭＹ　ＯＲＤＥＲ　ＳＨＩＰ？')).toEqual(plain);
  });

  it('when a question shares nothing with the FAQ, then there is no answer and no suggestion', () => {
    expect(match('你们老板是谁')).toEqual({ suggestions: [] });
    expect(match('How do I?')).toEqual({ suggestions: [] });
  });

  it('when an unrelated question overlaps a little, then there is no answer but suggestions', () => {
    const result = match('货到付款吗');
    expect(result.answer).toBeUndefined();
    expect(result.suggestions[0]?.id).toBe('return');
    for (const { score } of result.suggestions) {
      expect(score).toBeGreaterThanOrEqual(0.1);
      expect(score).toBeLessThan(threshold);
    }
  });

  it('when the FAQ is empty, then nothing matches', () => {
    expect(matchFaq(buildFaqIndex([]), '如何退货', { threshold })).toEqual({ suggestions: [] });
  });

  it('when several entries overlap, then suggestions are the next best 3, best first, without the answer', () => {
    const question = 'ship order return 发货 运费';
    const all = ranking(question);
    expect(all.length).toBeGreaterThan(4);
    const scores = all.map((s) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const result = match(question);
    expect(result.answer?.id).toBe(all[0]?.id);
    expect(result.suggestions).toEqual(all.slice(1, 4));
    expect(result.suggestions.map((s) => s.id)).not.toContain(result.answer?.id);
  });

  it('when asked for a number of suggestions, then at most that many come back', () => {
    const question = 'ship order return 发货 运费';
    expect(matchFaq(index, question, { threshold, suggestions: 1 }).suggestions).toHaveLength(1);
    expect(matchFaq(index, question, { threshold, suggestions: 0 }).suggestions).toEqual([]);
  });

  it('when nothing reaches the threshold, then the best entry leads the suggestions', () => {
    const result = match('do you ship to canada');
    expect(result.answer).toBeUndefined();
    expect(result.suggestions.map((s) => s.id)).toEqual(['en-intl', 'en-ship-time']);
  });

  it('when two entries score the same, then the one listed first wins', () => {
    const twins = [
      stored('first', { question: '运费多少', answer: 'A' }),
      stored('second', { question: '运费多少', answer: 'B' }),
    ];
    const forward = matchFaq(buildFaqIndex(twins), '运费多少钱', { threshold });
    expect(forward.answer?.id).toBe('first');
    expect(forward.suggestions.map((s) => s.id)).toEqual(['second']);
    expect(forward.suggestions[0]?.score).toBe(forward.answer?.score);

    const backward = matchFaq(buildFaqIndex([...twins].reverse()), '运费多少钱', { threshold });
    expect(backward.answer?.id).toBe('second');
  });

  it('when the same question is matched twice on separately built indexes, then the results are equal', () => {
    const question = 'ship order return 发货 运费';
    expect(matchFaq(buildFaqIndex(faqs), question, { threshold })).toEqual(match(question));
  });

  it('when the score is exactly the threshold, then the entry answers; just above, it is suggested', () => {
    const question = '多久能发货呀';
    const score = ranking(question)[0]?.score ?? 0;
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(1);

    expect(match(question, { threshold: score }).answer).toMatchObject({ id: 'ship-time', score });
    const above = match(question, { threshold: Math.min(1, score + 1e-9) });
    expect(above.answer).toBeUndefined();
    expect(above.suggestions[0]).toMatchObject({ id: 'ship-time', score });
  });

  it('when the threshold is 0, then an overlapping question answers but a zero score never does', () => {
    expect(match('货到付款吗', { threshold: 0 }).answer?.id).toBe('return');
    expect(match('你们老板是谁', { threshold: 0 })).toEqual({ suggestions: [] });
  });

  it('when the stored question is asked verbatim, then it scores 1 and every score is in [0, 1]', () => {
    const result = match('如何退货');
    expect(result.answer?.id).toBe('return');
    expect(result.answer?.score).toBeCloseTo(1, 10);
    for (const { score } of ranking('ship order return 发货 运费 如何退货')) {
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it.each([
    ['a threshold above 1', { threshold: 1.5 }],
    ['a negative threshold', { threshold: -0.1 }],
    ['a NaN threshold', { threshold: Number.NaN }],
    ['a negative suggestion count', { threshold, suggestions: -1 }],
    ['a fractional suggestion count', { threshold, suggestions: 1.5 }],
  ])('when called with %s, then it throws a RangeError', (_name, options) => {
    expect(() => matchFaq(index, '如何退货', options)).toThrow(RangeError);
  });
});

describe('FAQ entry schema', () => {
  it('when an entry is valid, then phrasings are trimmed and optional lists stay optional', () => {
    expect(faqEntrySchema.parse({ question: '  如何退货 ', answer: ' 见详情页 ' })).toEqual({
      question: '如何退货',
      answer: '见详情页',
    });
  });

  it.each([
    ['an empty question', { question: '', answer: 'a' }, 'question'],
    ['a blank question', { question: '   ', answer: 'a' }, 'question'],
    ['a question over 200 characters', { question: 'q'.repeat(201), answer: 'a' }, 'question'],
    ['no answer', { question: 'q' }, 'answer'],
    ['an answer over 2000 characters', { question: 'q', answer: 'a'.repeat(2001) }, 'answer'],
    [
      'more than 20 similar phrasings',
      { question: 'q', answer: 'a', similar: Array.from({ length: 21 }, (_, i) => `q${i}`) },
      'similar',
    ],
    ['an empty similar phrasing', { question: 'q', answer: 'a', similar: ['ok', ''] }, 'similar.1'],
    [
      'a keyword over 40 characters',
      { question: 'q', answer: 'a', keywords: ['k'.repeat(41)] },
      'keywords.0',
    ],
    [
      'more than 20 keywords',
      { question: 'q', answer: 'a', keywords: Array.from({ length: 21 }, (_, i) => `k${i}`) },
      'keywords',
    ],
  ])('when an entry has %s, then validation names the bad field', (_name, input, path) => {
    const result = faqEntrySchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('when an entry has an unknown field, then it is refused', () => {
    const result = faqEntrySchema.safeParse({ question: 'q', answer: 'a', tags: ['x'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
  });
});

describe('FAQ hand-over requests', () => {
  it.each<[string, boolean]>([
    ['人工', true],
    ['转人工服务', true],
    ['我要找人工客服', true],
    ['客服在吗', true],
    ['I want a human', true],
    ['AGENT please', true],
    ['talk to an agent.', true],
    ['ＡＧＥＮＴ！', true],
    ['can I speak to a REAL   person?', true],
    ['我要agent', true],
    ['operator', true],
    ['agentic workflows', false],
    ['a humane return policy', false],
    ['the operators manual', false],
    ['reagent', false],
    ['How do I return an item?', false],
    ['运费多少', false],
    ['', false],
  ])('when the shopper writes %j, then wantsHuman is %s', (text, expected) => {
    expect(wantsHuman(text, defaultHandoverKeywords)).toBe(expected);
  });

  it('when there are no keywords, then nothing is a hand-over request', () => {
    expect(wantsHuman('转人工 agent human', [])).toBe(false);
  });

  it('when keywords are custom, then they are normalised like the text and blanks ignored', () => {
    expect(wantsHuman('叫你们经理来', ['经理'])).toBe(true);
    expect(wantsHuman('Talk to a SUPERVISOR', ['Supervisor'])).toBe(true);
    expect(wantsHuman('talk to a person', ['  ', ''])).toBe(false);
  });
});
