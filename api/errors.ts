import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../runtime/logger';

/** An error meant for the caller: a status, a stable code, and a message. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * One problem per bad field. An unknown field is named by its own path, not
 * its parent's (zod reports it on the object that holds it), so the caller
 * sees which key to drop. `root` names a problem with the input as a whole.
 */
export function fieldProblems(error: z.ZodError, root = '(body)'): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...at, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: at.join('.') || root, message: issue.message }];
  });
}

/** Parses `input` or throws a 400 naming every bad field. */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where = 'body',
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = fieldProblems(result.error, `(${where})`);
  throw new AppError(
    400,
    'invalid_request',
    `Invalid ${where}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
    { fields },
  );
}

/** What the JSON body parser refuses before any route runs, by its error `type`. */
const bodyRefusals: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': {
    status: 400,
    code: 'invalid_json',
    message: 'The request body is not valid JSON',
  },
  'entity.too.large': {
    status: 413,
    code: 'payload_too_large',
    message: 'The request body is larger than the API accepts',
  },
  'charset.unsupported': {
    status: 415,
    code: 'unsupported_charset',
    message: 'The request body must be JSON in UTF-8',
  },
};

const bodyRefusal = (error: unknown) =>
  typeof error === 'object' && error !== null && 'type' in error && typeof error.type === 'string'
    ? bodyRefusals[error.type]
    : undefined;

/** Turns every error into a JSON answer; internal errors are logged, never sent. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof AppError) {
      // A refusal that says when to come back (429) says it in the header too.
      const retryAfter = error.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
      res
        .status(error.status)
        .json({ error: { code: error.code, message: error.message, ...error.details } });
      return;
    }
    const refused = bodyRefusal(error);
    if (refused) {
      res.status(refused.status).json({ error: { code: refused.code, message: refused.message } });
      return;
    }
    log.error('request failed', { method: req.method, path: req.path, error: String(error) });
    res
      .status(500)
      .json({ error: { code: 'internal', message: 'Something went wrong on our side' } });
  };
}
