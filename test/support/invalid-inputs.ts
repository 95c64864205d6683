import { z } from 'zod';

/**
 * Bad inputs derived from a zod schema and one valid example: for every field
 * the schema declares (nested objects, the example's first list item, and the
 * union branch the example takes included), the example with that one field
 * missing, of the wrong type, out of range, too long, not an allowed value,
 * or not matching its format, and each object with an unknown field. A field
 * added to a schema is covered without touching the tests.
 *
 * Each bad value is checked against the schema itself: the field's own
 * schema must reject it, and the whole schema the whole input, so a case
 * never expects a 400 the route's schema would not give. The unknown field is
 * the exception: inputs are strict by rule, so a schema that accepts one
 * keeps its case, and fails it.
 */

/** `json`: a JSON body; `query`: URL query values; `path`: URL path segments (strings only). */
export type InputSource = 'json' | 'query' | 'path';

export interface InvalidInput {
  /** What is wrong, e.g. `flow.robot.missLimit: below the minimum`. */
  name: string;
  /** The whole input with that one thing wrong. */
  input: unknown;
  /** The field paths an answer may name: the bad field, or a union that holds it. */
  fields: string[];
}

type Key = string | number;
const absent = Symbol('absent');

interface Change {
  at: Key[];
  value: unknown;
  label: string;
  /** The schema the bad value must fail on its own; undefined for a missing key or unknown field. */
  field: z.ZodType | undefined;
  fields: string[];
  /** Kept even if the schema accepts it: the API's rule, whatever one schema says. */
  required?: true;
}

export const unknownFieldName = 'unexpectedField';

/** The schema a value is checked against once wrappers (optional, default, a transform's output) are off. */
function unwrap(schema: z.ZodType): z.ZodType {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNullable
  ) {
    return unwrap(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodPipe) {
    // A number read from URL text (digits → number) is walked as the number it becomes.
    const out = unwrap(schema.out as z.ZodType);
    return out instanceof z.ZodNumber ? out : unwrap(schema.in as z.ZodType);
  }
  return schema;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const limit = (schema: z.ZodArray, check: 'min_length' | 'max_length'): number | undefined => {
  for (const c of schema.def.checks ?? []) {
    const def = c._zod.def as { check: string; minimum?: number; maximum?: number };
    if (def.check === check) return check === 'min_length' ? def.minimum : def.maximum;
  }
  return undefined;
};

/** Past the 1 MB body limit a "too long" case would test the limit, not the field. */
const tooLong = (max: number | null | undefined) =>
  typeof max === 'number' && max < 100_000 ? 'x'.repeat(max + 1) : undefined;

/** Bad values for one field, by its kind; `sample` is a good value of it when one is known. */
function badValues(schema: z.ZodType, sample: unknown, source: InputSource) {
  const s = unwrap(schema);
  const json = source === 'json';
  const out: { label: string; value: unknown }[] = [];
  const add = (label: string, value: unknown) => {
    if (value !== undefined) out.push({ label, value });
  };
  // A query key given twice arrives as a list: the query's "wrong type".
  const one = typeof sample === 'string' ? sample : 'a';
  const twice = source === 'query' ? [one, one] : undefined;
  // Formats (email, uuid, ISO dates) are strings of their own class.
  if (s instanceof z.ZodString || s instanceof z.ZodStringFormat) {
    add('a number instead of text', json ? 12345 : undefined);
    add('given twice', twice);
    const min = s.minLength ?? 0;
    if (min > 0 && (min > 1 || source !== 'path')) add('too short', 'x'.repeat(min - 1));
    add('too long', tooLong(s.maxLength));
    // Of a length the field takes, so only a format or rule can reject it.
    const length = Math.max(min, 1);
    if (length <= (s.maxLength ?? Infinity)) {
      add('not in the required format', '!'.repeat(length));
    }
  } else if (s instanceof z.ZodNumber) {
    add('text instead of a number', json ? 'not a number' : 'NaN-ish');
    add('given twice', twice);
    const { minValue, maxValue } = s;
    const text = (n: number) => (json ? n : String(n));
    if (minValue !== null && minValue > Number.MIN_SAFE_INTEGER) {
      add('below the minimum', text(minValue - 1));
    }
    if (maxValue !== null && maxValue < Number.MAX_SAFE_INTEGER) {
      add('above the maximum', text(maxValue + 1));
    }
    const low = minValue !== null && minValue > Number.MIN_SAFE_INTEGER ? minValue : 0;
    if (s.isInt) add('not a whole number', text(low + 0.5));
    // In a URL, a number is decimal digits: no hex, exponent, sign, blank or fraction.
    if (!json && s.isInt) {
      for (const [label, value] of [
        ['in hex', '0x10'],
        ['with an exponent', '1e1'],
        ['empty', ''],
        ['with a leading space', ` ${low + 1}`],
        ['with a plus sign', `+${low + 1}`],
        ['with a decimal point', `${low + 1}.0`],
      ] as const) {
        // An empty path segment is another route (a 404), not a bad value.
        if (value !== '' || source !== 'path') add(label, value);
      }
    }
  } else if (s instanceof z.ZodBoolean) {
    add('text instead of true/false', json ? 'yes' : 'maybe');
  } else if (s instanceof z.ZodEnum || s instanceof z.ZodLiteral) {
    add('not one of the allowed values', 'not-an-option');
    add('a number instead of an allowed value', json ? 42 : undefined);
    add('given twice', twice);
  } else if (s instanceof z.ZodArray) {
    add('text instead of a list', json ? 'not a list' : undefined);
    const min = limit(s, 'min_length');
    if (min !== undefined && min > 0) add('too few items', []);
    const max = limit(s, 'max_length');
    const first: unknown = Array.isArray(sample) ? sample[0] : undefined;
    if (max !== undefined && first !== undefined) {
      add(
        'too many items',
        Array.from({ length: max + 1 }, () => first),
      );
    }
  } else if (s instanceof z.ZodObject) {
    add('text instead of an object', json ? 'not an object' : undefined);
  } else if (!(s instanceof z.ZodUnknown)) {
    // Unions and anything else: a value of another type, kept only if rejected.
    add('a number instead', json ? 12345 : undefined);
    add('text it does not accept', 'not valid!');
  }
  return out;
}

const pathOf = (at: Key[]) => at.map(String).join('.');

/** The changes that make the field at `at` invalid, walking into what it holds. */
function changes(
  schema: z.ZodType,
  sample: unknown,
  at: Key[],
  source: InputSource,
  unions: string[],
): Change[] {
  const fields = [pathOf(at), ...unions];
  const own: Change[] = badValues(schema, sample, source).map(({ label, value }) => ({
    at,
    value,
    label,
    field: schema,
    fields,
  }));
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    return [...own, ...objectChanges(s, isRecord(sample) ? sample : {}, at, source, unions)];
  }
  if (s instanceof z.ZodArray && Array.isArray(sample) && sample.length > 0) {
    return [...own, ...changes(s.element as z.ZodType, sample[0], [...at, 0], source, unions)];
  }
  if (s instanceof z.ZodUnion && sample !== undefined) {
    // Walk the branch the example takes; zod may name the union instead of the field.
    const branch = (s.options as z.ZodType[]).find((o) => o.safeParse(sample).success);
    if (branch) return [...own, ...changes(branch, sample, at, source, fields)];
  }
  return own;
}

function objectChanges(
  schema: z.ZodObject<Record<string, z.ZodType>>,
  sample: Record<string, unknown>,
  at: Key[],
  source: InputSource,
  unions: string[],
): Change[] {
  const out: Change[] = [];
  if (source !== 'path') {
    out.push({
      at: [...at, unknownFieldName],
      value: 'x',
      label: 'an unknown field',
      field: undefined,
      fields: [pathOf([...at, unknownFieldName]), ...unions],
      // Inputs are strict: a schema that would drop an unknown field silently is the bug.
      required: true,
    });
  }
  for (const [key, child] of Object.entries(schema.shape)) {
    const childAt = [...at, key];
    // Path values are part of the route: one cannot be left out and still reach it.
    if (source !== 'path' && !child.safeParse(undefined).success) {
      out.push({
        at: childAt,
        value: absent,
        label: 'missing',
        field: undefined,
        fields: [pathOf(childAt), ...unions],
      });
    }
    out.push(...changes(child, sampleFor(child, sample[key]), childAt, source, unions));
  }
  return out;
}

/** An absent optional object is walked as `{}` when that is valid, so its fields are covered too. */
function sampleFor(schema: z.ZodType, given: unknown): unknown {
  if (given !== undefined) return given;
  const s = unwrap(schema);
  return s instanceof z.ZodObject && s.safeParse({}).success ? {} : undefined;
}

function applied(root: unknown, at: Key[], value: unknown): unknown {
  const [head, ...rest] = at;
  if (head === undefined) return value;
  if (Array.isArray(root)) {
    const copy = (root as unknown[]).slice();
    copy[Number(head)] = applied(copy[Number(head)], rest, value);
    return copy;
  }
  const copy: Record<string, unknown> = isRecord(root) ? { ...root } : {};
  const inner = rest.length === 0 ? value : applied(copy[head], rest, value);
  if (inner === absent) delete copy[head];
  else copy[head] = inner;
  return copy;
}

/**
 * Every invalid variant of `example` under `schema`. Throws if the example
 * itself is invalid, so the table of examples stays honest.
 */
export function invalidInputs(
  schema: z.ZodObject | z.ZodType,
  example: unknown,
  source: InputSource,
): InvalidInput[] {
  const check = schema.safeParse(example);
  if (!check.success) {
    throw new Error(`the valid example is invalid: ${JSON.stringify(check.error.issues)}`);
  }
  const root = unwrap(schema);
  const all =
    root instanceof z.ZodObject
      ? objectChanges(root, isRecord(example) ? example : {}, [], source, [])
      : changes(root, example, [], source, []).filter((c) => c.at.length > 0);
  // The error body names a problem with the input as a whole `(body)`, `(query)` or `(path)`.
  const whole = `(${source === 'json' ? 'body' : source})`;
  return all
    .filter((c) => c.field === undefined || !c.field.safeParse(c.value).success)
    .map((c) => ({
      name: `${pathOf(c.at)}: ${c.label}`,
      input: applied(example, c.at, c.value),
      fields: [...new Set(c.fields.map((f) => f || whole))],
      required: c.required ?? false,
    }))
    .filter((c) => c.required || !schema.safeParse(c.input).success)
    .map(({ name, input, fields }) => ({ name, input, fields }));
}
