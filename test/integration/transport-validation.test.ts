import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { DeclaredRoute } from '../../api/http/endpoint';
import { errorBody } from '../../api/openapi';
import type { Role } from '../../domain/access';
import { closeRedis, type RedisClient } from '../../runtime/connections';
import { testOperatorToken } from '../support/api-client';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { rawRequest, type RawAnswer } from '../support/raw-request';
import { testRedis } from '../support/redis';
import { stateDifference, storedState } from '../support/stored-state';
import { validExamples } from '../support/valid-examples';
import { newWorld, type World } from '../support/validation-world';

/**
 * Bad input below the schemas, on every route the OpenAPI document lists
 * (read from the running engine, so a new route is walked without a line
 * here): bodies that do not decode, unknown encodings, malformed percent
 * escapes in each path parameter, numbers that are not decimal digits in
 * each integer query parameter, an unknown query parameter, and no body
 * where one is required. Each is a 4xx naming the problem; none is a 5xx,
 * and none writes anything.
 */

const operation = z.object({
  security: z.array(z.record(z.string(), z.unknown())).optional(),
  parameters: z
    .array(
      z.object({
        name: z.string(),
        in: z.string(),
        schema: z
          .object({ type: z.union([z.string(), z.array(z.string())]).optional() })
          .optional(),
      }),
    )
    .optional(),
  requestBody: z.object({ required: z.boolean().optional() }).optional(),
});
const openApiDocument = z.object({
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface DocumentedRoute {
  method: string;
  /** As documented: `/api/v1/groups/{groupId}`. */
  template: string;
  /** As express declares it: `/api/v1/groups/:groupId` (the key of valid examples). */
  key: string;
  pathParameters: string[];
  integerQuery: string[];
  bodyRequired: boolean;
  roles: readonly Role[] | 'public';
}

let engine: TestEngine;
let redis: RedisClient;
let routes: DocumentedRoute[];
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
  redis = await testRedis();
  const document = openApiDocument.parse(
    await (await fetch(`${engine.app.url}/api/v1/openapi.json`)).json(),
  );
  const declared = new Map<string, DeclaredRoute>(
    engine.app.declaredRoutes().map((r) => [`${r.method.toUpperCase()} ${r.path}`, r]),
  );
  routes = Object.entries(document.paths).flatMap(([template, item]) =>
    methods.flatMap((method) => {
      if (item[method] === undefined) return [];
      const op = operation.parse(item[method]);
      const key = `${method.toUpperCase()} ${template.replace(/\{(\w+)\}/g, ':$1')}`;
      const parameters = op.parameters ?? [];
      // Roles are not in the document's terms; the declared route has them, and the two
      // routes outside endpoints() say theirs by their security scheme.
      const bySession = op.security?.some((s) => 'sessionToken' in s) ?? false;
      return [
        {
          method: method.toUpperCase(),
          template,
          key,
          pathParameters: parameters.filter((p) => p.in === 'path').map((p) => p.name),
          integerQuery: parameters
            .filter((p) => p.in === 'query' && [p.schema?.type].flat().includes('integer'))
            .map((p) => p.name),
          bodyRequired: op.requestBody?.required ?? false,
          roles: declared.get(key)?.roles ?? (bySession ? ['visitor'] : 'public'),
        },
      ];
    }),
  );
});
afterAll(async () => {
  await closeRedis(redis);
  await engine.close();
});

/** A route ready to call: a credential it admits, and path and query values that pass. */
interface Prepared {
  route: DocumentedRoute;
  token: string | undefined;
  params: Record<string, string>;
  query: Record<string, string>;
}

async function prepare(world: World): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const route of routes) {
    const example = await validExamples[route.key]?.example(world);
    out.push({
      route,
      token: await world.credential(route.roles),
      params: example?.params ?? {},
      query: example?.query ?? {},
    });
  }
  return out;
}

function pathOf(p: Prepared, raw: Record<string, string> = {}): string {
  return p.route.template.replace(
    /\{(\w+)\}/g,
    (_, name: string) => raw[name] ?? encodeURIComponent(p.params[name] ?? 'x'),
  );
}

function withQuery(path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

const send = (
  p: Prepared,
  sent: { path?: string; headers?: Record<string, string>; body?: Buffer | string },
) =>
  rawRequest(engine.app.url, {
    method: p.route.method,
    path: sent.path ?? withQuery(pathOf(p), p.query),
    headers: {
      ...(p.token ? { authorization: `Bearer ${p.token}` } : {}),
      ...sent.headers,
    },
    ...(sent.body === undefined ? {} : { body: sent.body }),
  });

/** '' when the answer is the expected refusal; otherwise what was wrong with it. */
function refusal(
  answer: RawAnswer,
  status: number,
  code: string,
  field?: string,
): string | undefined {
  const error = errorBody.safeParse(answer.body).data?.error;
  const named = error?.fields?.map((f) => f.path) ?? [];
  const ok =
    answer.status === status &&
    error?.code === code &&
    (field === undefined || named.includes(field));
  return ok ? undefined : `answered ${answer.status} ${JSON.stringify(answer.body)}`;
}

const stateOf = (world: World) =>
  storedState(
    { db: engine.db, redis, temporal: engine.temporal.client },
    world.tenantId,
    world.workflowIds(),
  );

/** The tenant's stored state once fixtures have stopped writing. */
async function quietState(world: World): Promise<string[]> {
  let last = await stateOf(world);
  return eventually(async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await stateOf(world);
    const same = stateDifference(last, now).length === 0;
    last = now;
    return same ? now : undefined;
  });
}

/** Runs `cases` against every prepared route; returns the problems and checks nothing was written. */
async function walk(
  cases: (p: Prepared) => { name: string; answer: () => Promise<RawAnswer>; expect: Expect }[],
): Promise<{ problems: string[]; sent: number }> {
  const world = await newWorld(engine);
  const prepared = await prepare(world);
  const before = await quietState(world);
  const problems: string[] = [];
  let sent = 0;
  for (const p of prepared) {
    for (const c of cases(p)) {
      const answer = await c.answer();
      sent += 1;
      if (answer.status >= 500) problems.push(`${p.route.key} ${c.name}: a 5xx`);
      const wrong = refusal(answer, c.expect.status, c.expect.code, c.expect.field);
      if (wrong) problems.push(`${p.route.key} ${c.name}: ${wrong}`);
    }
  }
  const written = stateDifference(before, await stateOf(world));
  if (written.length > 0) problems.push(`wrote ${written.join('\n')}`);
  return { problems, sent };
}

interface Expect {
  status: number;
  code: string;
  field?: string;
}

const json = { 'content-type': 'application/json' };

describe('transport-level bad input on every route of the OpenAPI document', () => {
  it('when the document is read, then it lists every route express answers with input, opening chat and the message resync included', () => {
    const documented = new Set(routes.map((r) => r.key));
    expect(documented).toContain('POST /api/v1/sessions');
    expect(documented).toContain('GET /api/v1/sessions/:sessionId/messages');
    const undocumented = engine.app
      .declaredRoutes()
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .filter((key) => !documented.has(key));
    expect(undocumented).toEqual([]);
    expect(routes.length).toBeGreaterThan(60);
  });

  it('when a body does not decode per its Content-Encoding (broken gzip, deflate, brotli) or is in an encoding the API does not read, then every route answers 400 invalid_encoding or 415 unsupported_encoding, and nothing is written', async () => {
    const valid = JSON.stringify({ x: 1 });
    const truncatedGzip = gzipSync(valid).subarray(0, 12);
    const { problems, sent } = await walk((p) => [
      ...(
        [
          ['gzip', 'not gzip at all'],
          ['gzip', truncatedGzip],
          ['deflate', 'not deflate'],
          ['br', Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x01])],
        ] as const
      ).map(([encoding, body]) => ({
        name: `broken ${encoding}`,
        answer: () =>
          send(p, { headers: { ...json, 'content-encoding': encoding }, body: Buffer.from(body) }),
        expect: { status: 400, code: 'invalid_encoding' },
      })),
      ...['x-unknown', 'compress', 'gzip, x-unknown'].map((encoding) => ({
        name: `Content-Encoding ${encoding}`,
        answer: () => send(p, { headers: { ...json, 'content-encoding': encoding }, body: valid }),
        expect: { status: 415, code: 'unsupported_encoding' },
      })),
    ]);
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(routes.length * 6);
  }, 180_000);

  it('when a path parameter has malformed percent-encoding, then 400 invalid_path names that parameter, and nothing is written', async () => {
    const malformed = ['%E0%A4%A', '%', '%zz', 'a%C3'];
    const { problems, sent } = await walk((p) =>
      p.route.pathParameters.flatMap((name) =>
        malformed.map((escape) => ({
          name: `${name}=${escape}`,
          answer: () => send(p, { path: withQuery(pathOf(p, { [name]: escape }), p.query) }),
          expect: { status: 400, code: 'invalid_path', field: name },
        })),
      ),
    );
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(50);
  }, 180_000);

  it('when an integer query parameter is hex, empty, an exponent, signed, padded or fractional, then 400 names it, and nothing is written', async () => {
    const notDecimal = ['0x10', '', '1e3', ' 5', '+5', '-1', '5.0', '٣', '1_0'];
    const { problems, sent } = await walk((p) =>
      p.route.integerQuery.flatMap((name) =>
        notDecimal.map((value) => ({
          name: `${name}=${JSON.stringify(value)}`,
          answer: () => send(p, { path: withQuery(pathOf(p), { ...p.query, [name]: value }) }),
          expect: { status: 400, code: 'invalid_request', field: name },
        })),
      ),
    );
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(40);
  }, 180_000);

  it('when any route is sent an unknown query parameter, then 400 names it, and nothing is written', async () => {
    const { problems, sent } = await walk((p) => [
      {
        name: 'unexpected=1',
        answer: () =>
          send(p, {
            path: withQuery(pathOf(p), { ...p.query, unexpected: '1' }),
            ...(p.route.bodyRequired ? { headers: json, body: '{}' } : {}),
          }),
        expect: { status: 400, code: 'invalid_request', field: 'unexpected' },
      },
    ]);
    expect(problems).toEqual([]);
    expect(sent).toBe(routes.length);
  }, 180_000);

  it('when a route that requires a body is sent none, zero bytes, or another media type, then 400 body_required or 415 unsupported_media_type, and nothing is written', async () => {
    const { problems, sent } = await walk((p) =>
      p.route.bodyRequired
        ? [
            {
              name: 'no body',
              answer: () => send(p, {}),
              expect: { status: 400, code: 'body_required', field: '(body)' },
            },
            {
              name: 'zero bytes of JSON',
              answer: () => send(p, { headers: { ...json, 'content-length': '0' }, body: '' }),
              expect: { status: 400, code: 'body_required', field: '(body)' },
            },
            {
              name: 'a form, not JSON',
              answer: () =>
                send(p, {
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  body: 'a=1',
                }),
              expect: { status: 415, code: 'unsupported_media_type' },
            },
          ]
        : [],
    );
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(60);
  }, 180_000);
});
