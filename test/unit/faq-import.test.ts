import { checkFaqImport } from '../../api/use-cases/import-faq';
import { parseCsv } from '../../domain/csv';

describe('CSV reading', () => {
  it('when fields are quoted with commas, quotes and line breaks, then they read back whole', () => {
    expect(parseCsv('a,b\r\n"x, ""y""","two\nlines"\n\nlast,')).toEqual([
      ['a', 'b'],
      ['x, "y"', 'two\nlines'],
      ['last', ''],
    ]);
  });
});

describe('FAQ import check', () => {
  it('when CSV rows are mixed, then valid ones parse and each bad one is reported by row and field', () => {
    const csv = [
      'question,answer,similar,keywords',
      '运费多少？,满 99 元包邮,包邮吗|运费,运费',
      ',no question',
      'How to return?,',
    ].join('\n');
    const { valid, problems } = checkFaqImport({ format: 'csv', csv });
    expect(valid).toEqual([
      {
        question: '运费多少？',
        answer: '满 99 元包邮',
        similar: ['包邮吗', '运费'],
        keywords: ['运费'],
      },
    ]);
    expect(problems.map((p) => [p.row, p.path])).toEqual([
      [3, 'question'],
      [4, 'answer'],
    ]);
  });

  it('when the CSV header lacks a required column, then row 1 is reported', () => {
    const { valid, problems } = checkFaqImport({ format: 'csv', csv: 'question,extra\nq,x' });
    expect(valid).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ row: 1, path: 'header' });
    expect(problems[0]?.message).toContain('missing answer');
  });

  it('when JSON entries have unknown fields, then the row names the field', () => {
    const { problems } = checkFaqImport({
      format: 'json',
      entries: [
        { question: 'q', answer: 'a' },
        { question: 'q', answer: 'a', colour: 'red' },
      ],
    });
    expect(problems).toEqual([expect.objectContaining({ row: 2, path: 'colour' })]);
  });
});
