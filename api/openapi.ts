import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';

/**
 * The OpenAPI 3.1 document, generated from the routes' declarations
 * (api/http/endpoint.ts), with the same zod schemas the routes validate
 * with, so the docs cannot drift from the code: no path is written here.
 */

/** Response shapes, exported so tests check answers against what the document promises. */
export { errorBody } from './http/schemas';
export { chatMessage, messagePage, startedSession } from './views';

/** The credentials a declaration's `credential` names (see Endpoint.credential). */
export function registerSecuritySchemes(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A tenant API key (`rek_…`), an agent token from /api/v1/auth/agent-login, or the operator token.',
  });
  registry.registerComponent('securitySchemes', 'sessionToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A visitor token (own session) or an agent token (held sessions; supervisors: any of the tenant)',
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
