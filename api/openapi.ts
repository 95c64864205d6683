import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { messageKinds } from '../domain/message';
import { identityKinds, startSessionSchema } from '../domain/identity';
import { messagesParamsSchema, messagesQuerySchema } from './routes/messages';
import { errorBody } from './http/schemas';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes
 * validate with, so the docs cannot drift from the code.
 */

/** Response shapes, exported so tests check answers against what the document promises. */
export { errorBody } from './http/schemas';

export const startedSession = z.object({
  sessionId: z.string(),
  workflowId: z.string(),
  attached: z.boolean(),
  visitorId: z.string().meta({
    description: 'The verified id, or the id the engine made for an anonymous shopper (`anon-…`)',
  }),
  identity: z.enum(identityKinds),
  visitorToken: z
    .string()
    .meta({ description: 'Session-scoped: the socket handshake and the messages route take it' }),
  visitorTokenExpiresAt: z.string(),
  visitorCredential: z.string().optional().meta({
    description:
      'Anonymous shoppers only: keep it (the widget uses localStorage) and send it as visitor.credential to come back to the same chat',
  }),
  visitorCredentialExpiresAt: z.string().optional(),
});

export const chatMessage = z.object({
  tenantId: z.string(),
  sessionId: z.string(),
  seq: z.number().int().min(1),
  messageId: z.string(),
  clientMsgId: z.string().optional(),
  kind: z.enum(messageKinds),
  sender: z.object({
    type: z.enum(['visitor', 'agent', 'robot', 'system']),
    id: z.string().optional(),
  }),
  text: z.string(),
  attachment: z
    .object({
      url: z.string(),
      name: z.string(),
      size: z.number(),
      mimeType: z.string(),
      width: z.number().optional(),
      height: z.number().optional(),
    })
    .optional(),
  card: z
    .object({
      type: z.enum(['product', 'order']),
      ref: z.string(),
      title: z.string(),
      url: z.string().optional(),
      imageUrl: z.string().optional(),
      price: z.string().optional(),
      status: z.string().optional(),
    })
    .optional(),
  suggestions: z.array(z.string()).optional(),
  createdAt: z.string(),
});

export const messagePage = z.object({
  messages: z.array(chatMessage),
  hasMore: z.boolean(),
});

const check = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  failing: z.array(z.enum(['temporal', 'mongodb', 'redis'])),
  checks: z.object({ temporal: check, mongodb: check, redis: check }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The routes declared outside `endpoints()`: opening chat and health. */
export function registerBasePaths(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A tenant API key (`rek_…`), an agent token from /api/v1/auth/agent-login, or the operator token.',
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/sessions',
    summary: 'Open chat for a visitor: start a session, or attach to their open one',
    description:
      'Who the shopper is decides whose chat this is. A verified shopper sends `visitor.id` with `visitor.hash` (hex HMAC-SHA256 of the id with the tenant’s identity secret) or `visitor.token` (a JWT, HS256, `sub` = id, `exp` within 24 h); an anonymous shopper sends no id, or the `visitor.credential` an earlier open returned. A bare `visitor.id` is refused: knowing an id never opens that visitor’s chat. Browser-declared `visitor.tags` are ignored; routing and auto tags read the stored customer profile and verified claims.',
    request: {
      body: { required: true, content: { 'application/json': { schema: startSessionSchema } } },
    },
    responses: {
      201: json(startedSession, 'A new session was started'),
      200: json(startedSession, 'The visitor already had an open session; attached to it'),
      400: json(
        errorBody,
        'The body is invalid (`fields` names each bad field), missing (`body_required`), not JSON, or does not decode per its Content-Encoding; or a query parameter was given (this route takes none)',
      ),
      413: json(errorBody, 'The body is larger than the API accepts (1 MB)'),
      415: json(
        errorBody,
        'The body is not application/json, not UTF-8, or in a Content-Encoding other than gzip, deflate or br',
      ),
      404: json(errorBody, 'No such tenant'),
      401: json(
        errorBody,
        '`identity_unverified`: an id without hash or token; `identity_invalid`: a hash, token or credential that does not check out (wrong or rotated-out secret, expired, another tenant’s, an `anon-` id claimed), named in the message',
      ),
      403: json(
        errorBody,
        '`identity_required`: the tenant requires verified identity and the shopper is anonymous',
      ),
    },
  });
  const bearer = registry.registerComponent('securitySchemes', 'sessionToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A visitor token (own session) or an agent token (held sessions; supervisors: any of the tenant)',
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/sessions/{sessionId}/messages',
    summary:
      'Messages of a session after a seq (the resync after a gap or a reconnect) or before one (older history), in order, paged',
    security: [{ [bearer.name]: [] }],
    request: {
      params: messagesParamsSchema,
      query: messagesQuerySchema,
    },
    responses: {
      200: json(
        messagePage,
        'Messages with seq > afterSeq (or the latest ones with seq < beforeSeq), in order; `hasMore` says whether more follow (or, with beforeSeq, precede)',
      ),
      400: json(errorBody, 'A bad path or query value; `fields` names it'),
      401: json(errorBody, 'No valid visitor or agent token'),
      403: json(errorBody, 'The token may not read this session'),
      404: json(errorBody, "No such session in the token's tenant"),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This document (Swagger UI at /docs)',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  });
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: Temporal, MongoDB and Redis are reachable',
    responses: {
      200: json(readiness, 'Ready'),
      503: json(readiness, 'A server is unreachable; `failing` names it'),
    },
  });
}

export function buildOpenApiDocument(registry: OpenAPIRegistry) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Reception Engine API',
      version: '1.0.0',
      description: [
        'Multi-tenant customer-service reception for e-commerce.',
        '',
        'Errors are `{"error":{"code","message","fields"?}}`. Bad input is a 4xx naming the problem, before anything is written: ' +
          '400 `invalid_request` (a field, path value or query parameter; unknown ones are refused; numbers in URLs are decimal digits only), ' +
          '400 `invalid_path` (malformed percent-encoding in a path parameter), 400 `invalid_json`, 400 `body_required` (no or empty body where one is required; send `{}` for no fields), ' +
          '400 `invalid_encoding` / 415 `unsupported_encoding` (Content-Encoding), 415 `unsupported_media_type` (not application/json), 413 (over 1 MB). ' +
          'An id in a body that the tenant does not have is 422 `invalid_reference` naming the field; an id in the path, 404. ' +
          'Removing something still referred to is 409 `still_referenced` with `referrers` (kind and ids): an agent group with agents, an overflowing group, flow routing, working hours or open sessions; a tag group with tags. ' +
          'Removing a tag cascades: it comes off every customer and session.',
      ].join('\n'),
    },
  });
}
