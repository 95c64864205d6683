import { z } from 'zod';
import { parseCsv } from '../../domain/csv';
import { faqEntrySchema, type FaqEntry } from '../../domain/faq';
import { fieldProblems } from '../errors';

export interface RowProblem {
  /** 1-based: the JSON array position, or the CSV line's row counting the header as row 1. */
  row: number;
  path: string;
  message: string;
}

export const faqCsvColumns = ['question', 'answer', 'similar', 'keywords'] as const;

/** CSV rows as FAQ entries; `similar` and `keywords` are `|`-separated lists. */
function csvEntries(csv: string): {
  entries: { row: number; value: unknown }[];
  problems: RowProblem[];
} {
  const [header, ...rows] = parseCsv(csv);
  const columns = (header ?? []).map((h) => h.trim());
  const missing = ['question', 'answer'].filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(faqCsvColumns as readonly string[]).includes(c));
  if (missing.length || unknown.length) {
    return {
      entries: [],
      problems: [
        {
          row: 1,
          path: 'header',
          message: `columns must be ${faqCsvColumns.join(', ')} (question and answer required)${missing.length ? `; missing ${missing.join(', ')}` : ''}${unknown.length ? `; unknown ${unknown.join(', ')}` : ''}`,
        },
      ],
    };
  }
  const list = (cell: string | undefined) =>
    cell === undefined || cell.trim() === '' ? undefined : cell.split('|').map((s) => s.trim());
  return {
    entries: rows.map((cells, index) => {
      const cell = (name: string) => cells[columns.indexOf(name)];
      return {
        row: index + 2,
        value: {
          question: cell('question') ?? '',
          answer: cell('answer') ?? '',
          ...(list(cell('similar')) ? { similar: list(cell('similar')) } : {}),
          ...(list(cell('keywords')) ? { keywords: list(cell('keywords')) } : {}),
        },
      };
    }),
    problems: [],
  };
}

/** Validates every row; the caller decides whether problems stop the import. */
export function checkFaqImport(
  source: { format: 'json'; entries: unknown[] } | { format: 'csv'; csv: string },
): { valid: FaqEntry[]; problems: RowProblem[] } {
  const { entries, problems } =
    source.format === 'csv'
      ? csvEntries(source.csv)
      : {
          entries: source.entries.map((value, index) => ({ row: index + 1, value })),
          problems: [],
        };
  const valid: FaqEntry[] = [];
  for (const { row, value } of entries) {
    const parsed = faqEntrySchema.safeParse(value);
    if (parsed.success) valid.push(parsed.data);
    else problems.push(...fieldProblems(parsed.error).map((p) => ({ row, ...p })));
  }
  return { valid, problems };
}

export const faqImportSchema = z.discriminatedUnion('format', [
  z.strictObject({
    format: z.literal('json'),
    entries: z.array(z.unknown()).min(1).max(1000),
    onError: z.enum(['reject', 'skip']).default('reject'),
  }),
  z.strictObject({
    format: z.literal('csv'),
    csv: z.string().min(1).max(1_000_000),
    onError: z.enum(['reject', 'skip']).default('reject'),
  }),
]);
