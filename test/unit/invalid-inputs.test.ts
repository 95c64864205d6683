import { z } from 'zod';
import { decimalInteger } from '../../api/http/schemas';
import { invalidInputs } from '../support/invalid-inputs';

// The validation suite trusts this walk to find every field; these pin what it finds.

const names = (cases: { name: string }[]) => cases.map((c) => c.name);

describe('invalidInputs', () => {
  const schema = z.strictObject({
    id: z
      .string()
      .min(1)
      .max(8)
      .regex(/^[a-z]+$/),
    count: z.number().int().min(1).max(5),
    kind: z.enum(['a', 'b']).default('a'),
    on: z.boolean().optional(),
    when: z.iso.datetime().optional(),
    tags: z.array(z.string().max(3)).min(1).max(2),
    inner: z.strictObject({ note: z.string().max(4) }).optional(),
  });
  const example = { id: 'abc', count: 2, tags: ['x'] };

  it('when a schema has fields of every kind, then each one gets each of its bad values, and each object an unknown field', () => {
    expect(names(invalidInputs(schema, example, 'json'))).toEqual([
      'unexpectedField: an unknown field',
      'id: missing',
      'id: a number instead of text',
      'id: too short',
      'id: too long',
      'id: not in the required format',
      'count: missing',
      'count: text instead of a number',
      'count: below the minimum',
      'count: above the maximum',
      'count: not a whole number',
      'kind: not one of the allowed values',
      'kind: a number instead of an allowed value',
      'on: text instead of true/false',
      'when: a number instead of text',
      'when: not in the required format',
      'tags: missing',
      'tags: text instead of a list',
      'tags: too few items',
      'tags: too many items',
      'tags.0: a number instead of text',
      'tags.0: too long',
      // An absent optional object is walked as {}, so its fields are covered too.
      'inner: text instead of an object',
      'inner.unexpectedField: an unknown field',
      'inner.note: missing',
      'inner.note: a number instead of text',
      'inner.note: too long',
    ]);
  });

  it('when a case is made, then only its field is wrong and it names that field', () => {
    const cases = invalidInputs(schema, example, 'json');
    const tooLong = cases.find((c) => c.name === 'tags.0: too long');
    expect(tooLong).toEqual({
      name: 'tags.0: too long',
      input: { ...example, tags: ['xxxx'] },
      fields: ['tags.0'],
    });
    const missing = cases.find((c) => c.name === 'count: missing');
    expect(missing?.input).toEqual({ id: 'abc', tags: ['x'] });
    for (const c of cases) expect(schema.safeParse(c.input).success).toBe(false);
  });

  it('when the input is a query, then values are text, a key given twice is a wrong type, and a number is decimal digits only', () => {
    const query = z.strictObject({ limit: decimalInteger({ min: 1, max: 9 }).default(5) });
    expect(invalidInputs(query, { limit: '3' }, 'query')).toEqual([
      {
        name: 'unexpectedField: an unknown field',
        input: { limit: '3', unexpectedField: 'x' },
        fields: ['unexpectedField'],
      },
      { name: 'limit: text instead of a number', input: { limit: 'NaN-ish' }, fields: ['limit'] },
      { name: 'limit: given twice', input: { limit: ['3', '3'] }, fields: ['limit'] },
      { name: 'limit: below the minimum', input: { limit: '0' }, fields: ['limit'] },
      { name: 'limit: above the maximum', input: { limit: '10' }, fields: ['limit'] },
      { name: 'limit: not a whole number', input: { limit: '1.5' }, fields: ['limit'] },
      { name: 'limit: in hex', input: { limit: '0x10' }, fields: ['limit'] },
      { name: 'limit: with an exponent', input: { limit: '1e1' }, fields: ['limit'] },
      { name: 'limit: empty', input: { limit: '' }, fields: ['limit'] },
      { name: 'limit: with a leading space', input: { limit: ' 2' }, fields: ['limit'] },
      { name: 'limit: with a plus sign', input: { limit: '+2' }, fields: ['limit'] },
      { name: 'limit: with a decimal point', input: { limit: '2.0' }, fields: ['limit'] },
    ]);
  });

  it('when the input is a path, then no value is left out or empty and nothing is unknown', () => {
    const params = z.strictObject({
      id: z
        .string()
        .min(1)
        .max(4)
        .regex(/^[a-z]+$/),
    });
    expect(names(invalidInputs(params, { id: 'ab' }, 'path'))).toEqual([
      'id: too long',
      'id: not in the required format',
    ]);
  });

  it('when a field is inside a union, then the case may name the field or the union', () => {
    const body = z.strictObject({
      day: z.union([
        z.strictObject({ date: z.iso.date(), closed: z.literal(true) }),
        z.strictObject({ date: z.iso.date(), hours: z.number() }),
      ]),
    });
    const cases = invalidInputs(body, { day: { date: '2026-01-01', closed: true } }, 'json');
    expect(cases.find((c) => c.name === 'day.date: not in the required format')?.fields).toEqual([
      'day.date',
      'day',
    ]);
  });

  it('when an object would drop an unknown field silently, then the unknown-field case is kept, to fail', () => {
    const loose = z.object({ name: z.string() });
    expect(names(invalidInputs(loose, { name: 'x' }, 'json'))).toContain(
      'unexpectedField: an unknown field',
    );
  });

  it('when the example itself is invalid, then it throws, so the table of examples stays honest', () => {
    expect(() => invalidInputs(schema, { id: 'abc' }, 'json')).toThrow(
      'the valid example is invalid',
    );
  });
});
