import type { Refusal } from '../messaging/refusal';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../runtime/logger';
import { requestLog } from './http/request-context';

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
  'encoding.unsupported': {
    status: 415,
    code: 'unsupported_encoding',
    message: 'The body’s Content-Encoding must be gzip, deflate, br or identity',
  },
  'request.size.invalid': {
    status: 400,
    code: 'invalid_body',
    message: 'The body is not as long as its Content-Length says',
  },
  'request.aborted': {
    status: 400,
    code: 'invalid_body',
    message: 'The request ended before its body did',
  },
};

/** A decompression stream's failure: body-parser passes zlib's error on as a 400 with no `type`. */
const undecodable = {
  status: 400,
  code: 'invalid_encoding',
  message: 'The body does not decode per its Content-Encoding',
};

/** Any other client error a library raised (http-errors: a 4xx `status`, message safe to show). */
const otherClientError = (status: number) => ({
  status,
  code: 'bad_request',
  message: 'The request could not be read',
});

const statusOf = (error: object): number | undefined =>
  'status' in error && typeof error.status === 'number' ? error.status : undefined;

function bodyRefusal(error: unknown, encoding: string | undefined) {
  if (typeof error !== 'object' || error === null) return undefined;
  if ('type' in error && typeof error.type === 'string' && bodyRefusals[error.type]) {
    return bodyRefusals[error.type];
  }
  // The router could not decode a path parameter (the path guard normally answers first).
  if (error instanceof URIError) {
    return { status: 400, code: 'invalid_path', message: 'Malformed percent-encoding in the path' };
  }
  const status = statusOf(error);
  if (status === undefined || status < 400 || status > 499) return undefined;
  const encoded = encoding !== undefined && encoding.toLowerCase() !== 'identity';
  const typed = 'type' in error && typeof error.type === 'string';
  if (status === 400 && encoded && !typed) return undecodable;
  return otherClientError(status);
}

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
    const refused = bodyRefusal(error, req.header('content-encoding'));
    if (refused) {
      res.status(refused.status).json({ error: { code: refused.code, message: refused.message } });
      return;
    }
    requestLog(req, log).error('request failed', {
      method: req.method,
      path: req.path,
      error: String(error),
    });
    res
      .status(500)
      .json({ error: { code: 'internal', message: 'Something went wrong on our side' } });
  };
}

const refusalStatus: Record<Refusal['code'], number> = {
  invalid_payload: 400,
  not_found: 404,
  forbidden: 403,
  session_closed: 409,
  rate_limited: 429,
};

/** The chat fast path's refusal (messaging/refusal.ts) as the HTTP answer: same code, its status. */
export const refusalError = (refusal: Refusal): AppError =>
  new AppError(refusalStatus[refusal.code], refusal.code, refusal.message);
