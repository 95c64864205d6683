import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Principal, Role } from '../../domain/access';
import { fingerprint } from '../../runtime/secrets';
import type { IdempotencyStore } from '../../stores/idempotency';
import {
  authenticate,
  authenticateSessionToken,
  authorize,
  type AuthDeps,
} from '../auth/authenticate';
import type { TenantSuspension } from '../auth/tenant-suspension';
import { AppError, validate } from '../errors';
import { bindToRequest, noteRoute } from './request-context';
import { errorBody } from './schemas';
import { checkStreamedBody, requiredBody, requiredRawBody, type RawBody } from './transport';

export interface Reply {
  status: number;
  body?: unknown;
  /**
   * A text answer written as it is produced (a CSV export): chunks are
   * written with backpressure, so a long export is never held in memory.
   */
  stream?: { contentType: string; filename?: string; chunks: AsyncIterable<string> };
  /**
   * Bytes of a stored file (an attachment), with `nosniff` so a browser
   * never reads them as another type than `contentType`.
   */
  file?: {
    contentType: string;
    length: number;
    disposition: 'inline' | 'attachment';
    filename: string;
    body: Readable;
  };
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Endpoint<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType> {
  method: Method;
  /** Express style, `/api/v1/groups/:groupId`; the document gets `{groupId}`. */
  path: string;
  summary: string;
  /** More for the document than the summary holds (who, how, why). */
  description?: string;
  tag: string;
  /** Who may call; 'public' needs no credential. */
  roles: readonly Role[] | 'public';
  /**
   * Which credentials the route reads. `any` (the default): an API key, the
   * operator token, an agent token or a visitor token, a bad one 401
   * `unauthenticated`. `session-token`: only the tokens the chat sockets take,
   * a shopper's session-scoped one or an agent's, a missing or bad one 401
   * `unauthorized` as the socket handshake refuses it (for the routes a widget
   * and a console call beside their socket).
   */
  credential?: 'any' | 'session-token';
  params?: P;
  query?: Q;
  body?: B;
  /**
   * A body that is not JSON: the bytes of this media type, handed to the
   * handler as `raw` (a mail provider's inbound webhook posts a MIME message).
   * Instead of `body`.
   */
  rawBody?: RawBody;
  /** The success answers (errors are documented from the route's shape). */
  responses: Record<number, { description: string; schema?: z.ZodType; mediaType?: string }>;
  /** Extra error answers this route gives, beyond 400/401/403/422 that come from its shape. */
  errors?: Record<number, string>;
  handle: (input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    /** The bytes of a `rawBody` route (empty for every other route, and for a streamed one). */
    raw: Buffer;
    /** The request's body as a stream, for a `streamed` rawBody route (checked: media type, not empty). */
    request: IncomingMessage;
    principal: Principal | undefined;
    /** The client's address (behind proxies, as TRUST_PROXY lets express read it). */
    address: string;
  }) => Promise<Reply>;
}

/** What a declared route takes in and who may call it: the validation suite walks these. */
export interface DeclaredRoute {
  method: Method;
  path: string;
  roles: readonly Role[] | 'public';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  rawBody?: RawBody;
}

export interface EndpointDeps {
  auth: AuthDeps;
  idempotency: IdempotencyStore;
  registry: OpenAPIRegistry;
  /** Refuses every credential of a suspended tenant (403 `tenant_suspended`). */
  suspension: TenantSuspension;
}

const idempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, { message: 'must be 1-200 visible ASCII characters' });

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorBody } },
});

/**
 * Declares routes once: the same object wires the express handler (auth,
 * validation, idempotency, the answer) and the OpenAPI path, so the document
 * lists exactly the routes that answer, with the schemas they validate with.
 *
 * Just over ~300 lines: the declaration's types, its auth modes and the one
 * request pipeline every route runs through are read together on purpose.
 */
export function endpoints(deps: EndpointDeps) {
  const router = Router();
  const declared: DeclaredRoute[] = [];
  const noQuery = z.strictObject({});

  function add<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType>(
    endpoint: Endpoint<P, Q, B>,
  ): void {
    document(deps.registry, endpoint);
    const { method, path, roles, params, query, body, rawBody } = endpoint;
    declared.push({ method, path, roles, params, query, body, rawBody });
    // Only this route reads its media type: elsewhere such a body stays a 415.
    const parsers =
      rawBody && !rawBody.streamed
        ? [express.raw({ type: rawBody.mediaType, limit: rawBody.limit })]
        : [];
    router[endpoint.method](endpoint.path, ...parsers, async (req, res) => {
      // Metrics and logs name the template, never the URL with its ids.
      noteRoute(req, endpoint.path);
      const header = req.header('authorization');
      const principal =
        endpoint.roles === 'public'
          ? undefined
          : authorize(
              endpoint.credential === 'session-token'
                ? await authenticateSessionToken(deps.auth, header)
                : await authenticate(deps.auth, header),
              endpoint.roles,
            );
      if (principal && principal.role !== 'operator')
        await deps.suspension.refuse(principal.tenantId);
      const input = {
        params: (endpoint.params
          ? validate(endpoint.params, req.params, 'path')
          : {}) as z.output<P>,
        // A route without a query schema takes none: a stray parameter is named, not ignored.
        query: validate(endpoint.query ?? noQuery, { ...req.query }, 'query') as z.output<Q>,
        body: (endpoint.body
          ? validate(endpoint.body, requiredBody(req), 'body')
          : undefined) as z.output<B>,
        raw:
          endpoint.rawBody && !endpoint.rawBody.streamed
            ? requiredRawBody(req, endpoint.rawBody)
            : Buffer.alloc(0),
        request: req,
        principal,
        address: req.ip ?? req.socket.remoteAddress ?? 'unknown',
      };
      const sessionId =
        'sessionId' in input.params && typeof input.params.sessionId === 'string'
          ? input.params.sessionId
          : principal?.role === 'visitor'
            ? principal.sessionId
            : undefined;
      if (sessionId !== undefined) bindToRequest(req, { sessionId });
      if (endpoint.rawBody?.streamed) checkStreamedBody(req, endpoint.rawBody);
      const run = () => endpoint.handle(input);
      const reply =
        endpoint.method === 'post' && principal
          ? await idempotent(deps.idempotency, req, principal, run)
          : await run();
      if (reply.file) await writeFile(res, reply.status, reply.file);
      else if (reply.stream) await writeStream(res, reply.status, reply.stream);
      else if (reply.body === undefined) res.status(reply.status).end();
      else res.status(reply.status).json(reply.body);
    });
  }

  return { router, add, declared: (): readonly DeclaredRoute[] => [...declared] };
}

/**
 * Where an Idempotency-Key lives: one tenant's credential. Neither another
 * tenant nor another credential of the same tenant (two integrations, two
 * agents, each making its own keys) can collide with it and change its answers.
 */
function idempotencyScope(principal: Principal): string {
  switch (principal.role) {
    case 'operator':
      return 'operator';
    case 'admin':
    case 'integration':
      return `tenant:${principal.tenantId}:key:${principal.keyId}`;
    case 'agent':
    case 'supervisor':
      return `tenant:${principal.tenantId}:staff:${principal.agentId}`;
    case 'visitor':
      return `tenant:${principal.tenantId}:session:${principal.sessionId}`;
  }
}

/**
 * Runs a POST at most once per Idempotency-Key: the same key with the same
 * request answers with the stored answer; with a different request, 422.
 * Keys are per credential of a tenant (see idempotencyScope).
 */
async function idempotent(
  store: IdempotencyStore,
  req: Request,
  principal: Principal,
  run: () => Promise<Reply>,
): Promise<Reply> {
  const header = req.header('idempotency-key');
  if (header === undefined) return run();
  const parsed = idempotencyKey.safeParse(header);
  if (!parsed.success) {
    throw new AppError(
      400,
      'invalid_request',
      'Invalid header: Idempotency-Key: ' + parsed.error.issues[0]?.message,
      {
        fields: [
          { path: 'Idempotency-Key', message: parsed.error.issues[0]?.message ?? 'invalid' },
        ],
      },
    );
  }
  const key = parsed.data;
  const scope = idempotencyScope(principal);
  const claim = await store.claim(
    scope,
    key,
    fingerprint({ method: req.method, path: req.originalUrl, body: req.body as unknown }),
  );
  switch (claim.state) {
    case 'replay':
      return { status: claim.status, body: claim.body };
    case 'mismatch':
      throw new AppError(
        422,
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request',
      );
    case 'in_progress':
      throw new AppError(
        409,
        'idempotency_in_progress',
        'A request with this Idempotency-Key is still running; retry later',
      );
    case 'new':
      break;
  }
  let reply: Reply;
  try {
    reply = await run();
  } catch (error) {
    await store.forget(scope, key);
    throw error;
  }
  if (reply.status >= 200 && reply.status < 300) {
    await store.complete(scope, key, reply.status, reply.body ?? null);
  } else {
    await store.forget(scope, key);
  }
  return reply;
}

function document<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType>(
  registry: OpenAPIRegistry,
  endpoint: Endpoint<P, Q, B>,
): void {
  const isPublic = endpoint.roles === 'public';
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(endpoint.responses)) {
    responses[status] = response.schema
      ? {
          description: response.description,
          content: { [response.mediaType ?? 'application/json']: { schema: response.schema } },
        }
      : { description: response.description };
  }
  if (endpoint.params || endpoint.query || endpoint.body) {
    responses[400] = errorResponse('Invalid input; `fields` names each bad field');
  }
  if (endpoint.rawBody) {
    const { mediaType, limit } = endpoint.rawBody;
    responses[400] ??= errorResponse(
      `No body (\`body_required\`), or one that is not a ${mediaType}`,
    );
    responses[413] = errorResponse(`The body is larger than this route accepts (${limit})`);
    responses[415] = errorResponse(`The body is not ${mediaType}`);
  }
  if (endpoint.body) {
    responses[400] = errorResponse(
      'Invalid input (`fields` names each bad field), no body (`body_required`; send {} for no fields), or a body that is not JSON or does not decode per its Content-Encoding',
    );
    responses[413] = errorResponse('The body is larger than the API accepts (1 MB)');
    responses[415] = errorResponse(
      'The body is not application/json, not UTF-8, or in a Content-Encoding other than gzip, deflate or br',
    );
  }
  if (!isPublic) {
    responses[401] = errorResponse(
      endpoint.credential === 'session-token'
        ? 'No valid visitor or agent token (`unauthorized`)'
        : 'No credential, or one that is invalid, expired or revoked',
    );
    responses[403] = errorResponse(
      'The credential’s role may not call this route, or its tenant is suspended (`tenant_suspended`)',
    );
  }
  for (const [status, description] of Object.entries(endpoint.errors ?? {})) {
    responses[status] = errorResponse(description);
  }
  const idempotencyHeader = endpoint.method === 'post' && !isPublic;
  if (idempotencyHeader) {
    responses[409] ??= errorResponse('A request with the same Idempotency-Key is still running');
    responses[422] ??= errorResponse('The Idempotency-Key was used with a different request');
  }
  registry.registerPath({
    method: endpoint.method,
    path: endpoint.path.replace(/:(\w+)/g, '{$1}'),
    summary: endpoint.summary,
    tags: [endpoint.tag],
    ...(isPublic
      ? endpoint.description === undefined
        ? {}
        : { description: endpoint.description }
      : {
          security: [{ [endpoint.credential === 'session-token' ? 'sessionToken' : 'bearer']: [] }],
          description: [
            endpoint.description,
            `Roles: ${(endpoint.roles as readonly Role[]).join(', ')}.`,
          ]
            .filter(Boolean)
            .join('\n\n'),
        }),
    request: {
      ...(endpoint.params ? { params: endpoint.params } : {}),
      ...(endpoint.query ? { query: endpoint.query } : {}),
      ...(idempotencyHeader
        ? { headers: z.object({ 'idempotency-key': idempotencyKey.optional() }) }
        : {}),
      ...(endpoint.body
        ? { body: { required: true, content: { 'application/json': { schema: endpoint.body } } } }
        : {}),
      ...(endpoint.rawBody
        ? {
            body: {
              required: true,
              description: endpoint.rawBody.description,
              content: {
                [endpoint.rawBody.mediaType]: { schema: z.string().meta({ format: 'binary' }) },
              },
            },
          }
        : {}),
    },
    responses,
  });
}

/**
 * Writes a streamed answer. Headers go once the first chunk is ready, so an
 * error before it is still an ordinary JSON error; a failure after the
 * headers can only cut the answer short (the client sees a truncated body).
 */
async function writeStream(
  res: Response,
  status: number,
  stream: NonNullable<Reply['stream']>,
): Promise<void> {
  let started = false;
  for await (const chunk of stream.chunks) {
    if (!started) {
      res.status(status).type(stream.contentType);
      if (stream.filename) res.attachment(stream.filename);
      started = true;
    }
    if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
    if (res.destroyed) return;
  }
  if (!started) res.status(status).type(stream.contentType);
  res.end();
}

/**
 * Writes a stored file's bytes. Headers go once the first chunk is read, so
 * a missing object is still an ordinary JSON error; a failure after them
 * can only cut the answer short.
 */
async function writeFile(
  res: Response,
  status: number,
  file: NonNullable<Reply['file']>,
): Promise<void> {
  const chunks: AsyncIterator<Buffer> = file.body[Symbol.asyncIterator]();
  let next = await chunks.next();
  res.status(status);
  // First: express's attachment() also sets a type from the name's extension, which must not win.
  res.attachment(file.filename);
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Length', String(file.length));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The link is the credential: private, and only until it expires.
  res.setHeader('Cache-Control', 'private, max-age=3600');
  if (file.disposition === 'inline') {
    res.setHeader(
      'Content-Disposition',
      String(res.getHeader('Content-Disposition')).replace(/^attachment/, 'inline'),
    );
  }
  for (; !next.done; next = await chunks.next()) {
    if (!res.write(next.value)) await new Promise<void>((resolve) => res.once('drain', resolve));
    if (res.destroyed) {
      await chunks.return?.();
      return;
    }
  }
  res.end();
}
