import { z } from 'zod';

/** Response shapes shared by every route, exported so tests check answers against the document. */

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    rows: z.array(z.object({ row: z.number(), path: z.string(), message: z.string() })).optional(),
  }),
});

export const limitQuery = z.coerce.number().int().min(1).max(200).default(50);
export const isoTime = z.iso.datetime({ offset: true });
