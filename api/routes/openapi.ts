import type { endpoints } from '../http/endpoint';

/** `/api/v1/openapi.json`: the document built from every declaration (Swagger UI at /docs). */
export function openApiRoutes(api: ReturnType<typeof endpoints>, document: () => unknown): void {
  api.add({
    method: 'get',
    path: '/api/v1/openapi.json',
    tag: 'documentation',
    summary: 'This document (Swagger UI at /docs)',
    roles: 'public',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
    handle: () => Promise.resolve({ status: 200, body: document() }),
  });
}
