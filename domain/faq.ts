import { z } from 'zod';

/**
 * The robot's FAQ matcher: answers a shopper's question from the tenant's FAQ
 * when one entry is close enough, and otherwise offers the nearest entries as
 * "did you mean". Works for Chinese (no spaces between words) and English.
 *
 * Scoring is TF-IDF cosine between the question and each stored phrasing (the
 * question and its `similar` alternatives); an entry scores as its best
 * phrasing. Pure and deterministic: the same index and question always give
 * the same answer and the same suggestions in the same order.
 *
 * Slightly over the house's ~300 lines: the tokenizer, the index and the
 * scorer are one algorithm whose weights only make sense side by side.
 */

const phrasing = z.string().trim().min(1).max(200);

export const faqEntrySchema = z.strictObject({
  question: phrasing,
  answer: z.string().trim().min(1).max(2000),
  /** Other ways shoppers ask the same thing; each is matched on its own. */
  similar: z.array(phrasing).max(20).optional(),
  /** Terms that mark this entry: weighted up, and matched even if no phrasing has them. */
  keywords: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  /**
   * A most-asked question: the greeting offers it ("you may want to ask"),
   * at most `popularLimit` of them, in the FAQ's order.
   */
  popular: z.boolean().optional(),
});

/** How many popular questions the greeting offers. */
export const popularLimit = 5;

/** The questions the greeting offers as chips: the popular entries', in order. */
export function popularQuestions(entries: readonly FaqEntry[]): string[] {
  return entries
    .filter((entry) => entry.popular)
    .slice(0, popularLimit)
    .map((entry) => entry.question);
}

export type FaqEntryInput = z.input<typeof faqEntrySchema>;
export type FaqEntry = z.infer<typeof faqEntrySchema>;

export interface StoredFaq extends FaqEntry {
  id: string;
}

/**
 * Words that say nothing about which entry is meant. Kept small on purpose: a
 * longer list starts eating words that do discriminate ("when" separates
 * shipping times from shipping fees), and IDF already damps common words.
 */
const stopWords: ReadonlySet<string> = new Set([
  // English function words, pronouns and question scaffolding.
  ...['the', 'a', 'an', 'is', 'are', 'am', 'was', 'be', 'do', 'does', 'did', 'how', 'what'],
  ...['i', 'me', 'my', 'you', 'your', 'we', 'our', 'it', 'to', 'of', 'for', 'in', 'on', 'at'],
  ...['this', 'that', 'and', 'or', 'can', 'please'],
  // Chinese particles, pronouns, question words ("how", "what") and the
  // modal "can / want to" that wraps most questions (我想退货, 能发货吗).
  ...['的', '了', '吗', '呢', '啊', '呀', '吧', '嘛', '哦', '我', '你', '您', '我们', '你们'],
  ...['是', '在', '和', '请', '请问', '怎么', '怎样', '如何', '什么', '能', '要', '想'],
  ...['我想', '我要'],
]);

/** Scripts written without spaces, where word boundaries need a dictionary. */
const cjkChar = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * The dictionary joins stop characters into words of its own (我的, 你的吗), so
 * a CJK token made only of stop words is one too.
 */
function isStopWord(token: string): boolean {
  if (stopWords.has(token)) return true;
  const chars = [...token];
  return chars.length > 1 && chars.every((char) => cjkChar.test(char) && stopWords.has(char));
}

// 'zh' segments Chinese by dictionary and Latin text on spaces and punctuation,
// so one segmenter handles mixed text like "iPhone 15 怎么退货".
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

function normalize(text: string): string {
  // NFKC folds full-width letters and digits (ｉＰｈｏｎｅ１５) to ASCII.
  return text.normalize('NFKC').toLowerCase();
}

/**
 * The distinct tokens of a text, in first-seen order: the segmenter's words,
 * plus every adjacent pair of characters in a run of CJK. The dictionary cuts
 * the same phrase differently depending on its neighbours (退货 comes out as
 * 退 + 货, 运费 as one word, 什么时候发货 as 什么时候 + 发 + 货); pairs overlap
 * whatever the cut, and the segmenter's single characters give partial
 * overlaps (退货 and 退 + 款 share 退). Single characters are not added for
 * every run: in a long dictionary word they are noise that drowns the match.
 * Stop words break runs, so no pair spans one. Distinct because in questions
 * this short, repetition is noise.
 */
export function tokenize(text: string): string[] {
  const tokens = new Set<string>();
  const add = (token: string): void => {
    if (!isStopWord(token)) tokens.add(token);
  };
  let run: string[] = [];
  const flush = (): void => {
    run.forEach((char, i) => {
      const next = run[i + 1];
      if (next !== undefined) add(char + next);
    });
    run = [];
  };
  for (const { segment, isWordLike } of segmenter.segment(normalize(text))) {
    if (!isWordLike || isStopWord(segment)) {
      flush();
      continue;
    }
    add(segment);
    for (const char of segment) {
      if (cjkChar.test(char)) run.push(char);
      else flush();
    }
  }
  flush();
  return [...tokens];
}

/** Sparse vector with its precomputed length, so a match costs one dot product per phrasing. */
interface WeightedVector {
  weights: ReadonlyMap<string, number>;
  norm: number;
}

interface IndexedFaq {
  id: string;
  question: string;
  answer: string;
  phrasings: readonly WeightedVector[];
}

export interface FaqIndex {
  readonly entries: readonly IndexedFaq[];
  readonly idf: ReadonlyMap<string, number>;
  /** Weight of a query token that no entry has; see `queryVector`. */
  readonly unknownIdf: number;
}

/** How much more a keyword's token counts in an entry's phrasings. */
export const keywordBoost = 2;
/** Suggestions below this share too little with the question to help. */
export const minSuggestionScore = 0.1;
const defaultSuggestions = 3;

function vector(tokens: Iterable<string>, weight: (token: string) => number): WeightedVector {
  const weights = new Map<string, number>();
  for (const token of tokens) weights.set(token, weight(token));
  let sum = 0;
  for (const w of weights.values()) sum += w * w;
  return { weights, norm: Math.sqrt(sum) };
}

/**
 * Precomputes one weighted vector per phrasing. Document frequency counts
 * entries, not phrasings: a word in all five phrasings of one entry is still
 * specific to that entry. Keywords are boosted where a phrasing has them, and
 * also form a phrasing of their own so that a question using only a keyword
 * (退款 on the returns entry) still finds the entry.
 */
export function buildFaqIndex(entries: readonly StoredFaq[]): FaqIndex {
  const tokenized = entries.map((entry) => ({
    entry,
    phrasings: [entry.question, ...(entry.similar ?? [])].map(tokenize),
    keywords: new Set((entry.keywords ?? []).flatMap(tokenize)),
  }));

  const df = new Map<string, number>();
  for (const { phrasings, keywords } of tokenized) {
    for (const token of new Set([...phrasings.flat(), ...keywords])) {
      df.set(token, (df.get(token) ?? 0) + 1);
    }
  }
  const n = entries.length;
  // Smoothed: positive even for a token every entry has.
  const idf = new Map([...df].map(([token, count]) => [token, Math.log(1 + n / count)]));
  const idfOf = (token: string): number => idf.get(token) ?? 0;

  return {
    idf,
    unknownIdf: Math.log(1 + n),
    entries: tokenized.map(({ entry, phrasings, keywords }) => {
      const weight = (token: string): number =>
        idfOf(token) * (keywords.has(token) ? keywordBoost : 1);
      const vectors = phrasings.map((tokens) => vector(tokens, weight));
      if (keywords.size > 0) vectors.push(vector(keywords, weight));
      return {
        id: entry.id,
        question: entry.question,
        answer: entry.answer,
        phrasings: vectors,
      };
    }),
  };
}

/**
 * Tokens the FAQ never uses still count, at the weight of a token only one
 * entry has: "你们老板是谁" sharing one character with an entry is mostly about
 * something else, and should score low. Ignoring them would let any single
 * shared word score 1.
 */
function queryVector(index: FaqIndex, question: string): WeightedVector {
  return vector(tokenize(question), (token) => index.idf.get(token) ?? index.unknownIdf);
}

function cosine(query: WeightedVector, doc: WeightedVector): number {
  if (query.norm === 0 || doc.norm === 0) return 0;
  let dot = 0;
  for (const [token, w] of query.weights) dot += w * (doc.weights.get(token) ?? 0);
  // Weights are non-negative, so only rounding can push this past [0, 1].
  return Math.min(1, Math.max(0, dot / (query.norm * doc.norm)));
}

export interface FaqMatchOptions {
  /** Minimum score, in [0, 1], for the best entry to be given as the answer. */
  threshold: number;
  /** How many other entries to suggest; default 3. */
  suggestions?: number;
}

export interface FaqMatch {
  answer?: { id: string; question: string; answer: string; score: number };
  /** Best first; never the answered entry. */
  suggestions: { id: string; question: string; score: number }[];
}

/**
 * Matches a question against the index. The best entry is the answer when
 * its score reaches the threshold (a score of exactly the threshold answers)
 * and shares something with the question (a zero score never answers, even
 * at threshold 0). The next best entries, above `minSuggestionScore`, are the
 * suggestions. Ties go to the entry listed first.
 */
export function matchFaq(index: FaqIndex, question: string, options: FaqMatchOptions): FaqMatch {
  const { threshold, suggestions = defaultSuggestions } = options;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be in [0, 1], got ${threshold}`);
  }
  if (!Number.isInteger(suggestions) || suggestions < 0) {
    throw new RangeError(`suggestions must be a non-negative integer, got ${suggestions}`);
  }

  const query = queryVector(index, question);
  const ranked = index.entries
    .map((entry, order) => ({
      entry,
      order,
      score: Math.max(0, ...entry.phrasings.map((p) => cosine(query, p))),
    }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order);

  const best = ranked[0];
  const answered = best !== undefined && best.score >= threshold;
  const rest = answered ? ranked.slice(1) : ranked;
  return {
    ...(answered && {
      answer: {
        id: best.entry.id,
        question: best.entry.question,
        answer: best.entry.answer,
        score: best.score,
      },
    }),
    suggestions: rest
      .filter(({ score }) => score >= minSuggestionScore)
      .slice(0, suggestions)
      .map(({ entry, score }) => ({ id: entry.id, question: entry.question, score })),
  };
}

/** Explicit requests for a person; 客服 alone counts, as shoppers type it to mean "a person". */
export const defaultHandoverKeywords: readonly string[] = [
  '人工',
  '转人工',
  '人工客服',
  '客服',
  'agent',
  'human',
  'real person',
  'operator',
];

/** Letters and digits that continue a word; CJK does not, having no spaces to bound words. */
function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}_]/u.test(char) && !cjkChar.test(char);
}

function normalizeForHandover(text: string): string {
  return normalize(text).replace(/\s+/gu, ' ').trim();
}

/**
 * Whether the shopper explicitly asks for a person. Keywords with CJK match as
 * substrings (no spaces to bound them); others only as whole words, so
 * "agent" matches "talk to an agent" and "我要agent" but not "agentic", and
 * "human" not "humane". Case, width and runs of spaces do not matter.
 */
export function wantsHuman(text: string, keywords: readonly string[]): boolean {
  const haystack = normalizeForHandover(text);
  return keywords.some((raw) => {
    const keyword = normalizeForHandover(raw);
    if (keyword === '') return false;
    if (cjkChar.test(keyword)) return haystack.includes(keyword);
    for (let at = haystack.indexOf(keyword); at !== -1; at = haystack.indexOf(keyword, at + 1)) {
      const before = haystack[at - 1];
      const after = haystack[at + keyword.length];
      if (!isWordChar(before) && !isWordChar(after)) return true;
    }
    return false;
  });
}
