import type { IncomingMessage } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';

/**
 * Bad input below the schemas: how the body is framed and encoded, and how
 * the path is escaped. Each is refused with a 4xx that names the problem
 * before any route runs (or, for a missing body, before the route's logic),
 * through the one error middleware, so a malformed request is never a 500.
 *
 * - body: JSON only (`application/json`, UTF-8), up to 1 MB after decoding;
 *   Content-Encoding gzip, deflate, br or identity. Broken JSON 400
 *   `invalid_json`, a body that does not decode per its Content-Encoding 400
 *   `invalid_encoding`, another encoding 415 `unsupported_encoding`, too big
 *   413, another charset 415, another media type on a route that takes a body
 *   415 `unsupported_media_type`, no body (or an empty one) where a route
 *   takes one 400 `body_required` (send `{}` to mean "no fields").
 * - path: a segment with malformed percent-encoding is 400 `invalid_path`
 *   naming the path parameter it stands for.
 */

/** Requests whose JSON body was zero bytes: body-parser hands the route `{}` for those. */
const emptyBodies = new WeakSet<IncomingMessage>();

/** The JSON body parser. FAQ imports carry up to 1 MB of CSV; every other body is far smaller. */
export function jsonBody(): RequestHandler {
  return express.json({
    limit: '1mb',
    verify: (req, _res, raw) => {
      if (raw.length === 0) emptyBodies.add(req);
    },
  });
}

const bytesAnnounced = (req: Request): number => {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length);
  // Chunked: some body follows, of a length not known up front.
  return req.headers['transfer-encoding'] === undefined ? 0 : Infinity;
};

/**
 * For a route that takes a body: the parsed JSON, or a refusal. An empty body
 * is not `{}`: on a route whose fields are all optional, reading it so would
 * reset or resolve something the caller never described.
 */
export function requiredBody(req: Request): unknown {
  const parsed: unknown = req.body;
  if (parsed !== undefined && !emptyBodies.has(req)) return parsed;
  if (parsed === undefined && bytesAnnounced(req) > 0) {
    throw new AppError(
      415,
      'unsupported_media_type',
      'The body must be JSON, sent with Content-Type: application/json',
      { fields: [{ path: '(body)', message: 'not application/json' }] },
    );
  }
  throw new AppError(400, 'body_required', 'This route takes a JSON body; send {} for no fields', {
    fields: [{ path: '(body)', message: 'required' }],
  });
}

const noQuery = z.strictObject({});

/** A route that takes no query names a stray parameter instead of ignoring it. */
export const refuseQuery: RequestHandler = (req, _res, next) => {
  const result = noQuery.safeParse({ ...req.query });
  if (result.success) return next();
  const fields = Object.keys(req.query).map((path) => ({ path, message: 'unknown field' }));
  next(
    new AppError(
      400,
      'invalid_request',
      `Invalid query: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      { fields },
    ),
  );
};

const decodes = (segment: string): boolean => {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
};

/** The `{name}` a template has at segment `index`, if the template matches the path's literal segments. */
function parameterAt(templates: readonly string[], segments: string[], index: number) {
  for (const template of templates) {
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    const literalsMatch = parts.every((part, i) => part.startsWith('{') || part === segments[i]);
    const name = /^\{(\w+)\}$/.exec(parts[index] ?? '')?.[1];
    if (literalsMatch && name) return name;
  }
  return undefined;
}

/**
 * Refuses a path with malformed percent-encoding (`%E0%A4%A`) before the
 * router tries to decode it, naming the parameter from the route templates
 * (`/api/v1/groups/{groupId}`), or `(path)` when none matches.
 */
export function refuseMalformedPath(templates: () => readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const segments = req.path.split('/');
    const bad = segments.findIndex((segment) => !decodes(segment));
    if (bad < 0) return next();
    const name = parameterAt(templates(), segments, bad);
    const where = name ? `path parameter ${name}` : 'path';
    next(
      new AppError(400, 'invalid_path', `Malformed percent-encoding in the ${where}`, {
        fields: [{ path: name ?? '(path)', message: 'malformed percent-encoding' }],
      }),
    );
  };
}

/** A route's body that is not JSON: its media type, size limit (as body-parser reads it) and what it is. */
export interface RawBody {
  mediaType: 'message/rfc822' | 'application/octet-stream';
  limit: string;
  description: string;
  /**
   * Not parsed into memory: the handler reads the request as a stream and
   * enforces its own limit (an attachment upload, up to tens of MB).
   */
  streamed?: boolean;
}

/**
 * For a `streamed` rawBody route: refuses, before any byte is read, another
 * media type (415) or a body announced empty (400). A chunked body that
 * turns out empty is the handler's to refuse.
 */
export function checkStreamedBody(req: Request, raw: RawBody): void {
  const announced = bytesAnnounced(req);
  if (announced > 0 && !req.is(raw.mediaType)) {
    throw new AppError(
      415,
      'unsupported_media_type',
      `The body must be sent with Content-Type: ${raw.mediaType}`,
      { fields: [{ path: '(body)', message: `not ${raw.mediaType}` }] },
    );
  }
  if (announced === 0) {
    throw new AppError(400, 'body_required', `This route takes a ${raw.mediaType} body`, {
      fields: [{ path: '(body)', message: 'required' }],
    });
  }
}

/** For a `rawBody` route: the bytes, or a refusal (another media type 415, none 400). */
export function requiredRawBody(req: Request, raw: RawBody): Buffer {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body) && body.length > 0) return body;
  if (bytesAnnounced(req) > 0 && !Buffer.isBuffer(body)) {
    throw new AppError(
      415,
      'unsupported_media_type',
      `The body must be sent with Content-Type: ${raw.mediaType}`,
      { fields: [{ path: '(body)', message: `not ${raw.mediaType}` }] },
    );
  }
  throw new AppError(400, 'body_required', `This route takes a ${raw.mediaType} body`, {
    fields: [{ path: '(body)', message: 'required' }],
  });
}
