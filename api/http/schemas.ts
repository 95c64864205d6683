import { z } from 'zod';

/** Response shapes shared by every route, exported so tests check answers against the document. */

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    rows: z.array(z.object({ row: z.number(), path: z.string(), message: z.string() })).optional(),
    /** 409 `still_referenced`: what refers to the thing that was to be removed. */
    referrers: z
      .array(z.object({ kind: z.string(), ids: z.array(z.string()), more: z.boolean().optional() }))
      .optional(),
    /** 409 on a tag's external id: the tag that holds that id. */
    tagId: z.string().optional(),
    /** 429: the same seconds as the `Retry-After` header. */
    retryAfterSeconds: z.number().optional(),
  }),
});

/**
 * A whole number in a URL (query or path): decimal digits only. `z.coerce.number()`
 * would take `0x10`, `1e3`, `+5`, ` 5` and even `` (as 0); none of those is a
 * number anyone means in a URL, so each is a 400 naming the parameter.
 */
export function decimalInteger(bounds: { min: number; max?: number }) {
  const number = z.number().int().min(bounds.min);
  return z
    .string()
    .regex(/^[0-9]+$/, { message: 'must be a whole number in decimal digits' })
    .transform(Number)
    .pipe(bounds.max === undefined ? number : number.max(bounds.max))
    .meta({
      type: 'integer',
      minimum: bounds.min,
      ...(bounds.max === undefined ? {} : { maximum: bounds.max }),
    });
}

export const limitQuery = decimalInteger({ min: 1, max: 200 }).default(50);
export const isoTime = z.iso.datetime({ offset: true });
