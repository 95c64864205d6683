import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { startSessionSchema } from '../domain/session';
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
  visitorToken: z.string(),
  visitorTokenExpiresAt: z.string(),
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
    request: {
      body: { required: true, content: { 'application/json': { schema: startSessionSchema } } },
    },
    responses: {
      201: json(startedSession, 'A new session was started'),
      200: json(startedSession, 'The visitor already had an open session; attached to it'),
      400: json(errorBody, 'The body is invalid; `fields` names each bad field'),
      404: json(errorBody, 'No such tenant'),
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
      description: 'Multi-tenant customer-service reception for e-commerce.',
    },
  });
}
