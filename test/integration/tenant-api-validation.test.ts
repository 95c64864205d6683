import type { DeclaredRoute } from '../../api/http/endpoint';
import { errorBody } from '../../api/openapi';
import type { RedisClient } from '../../runtime/connections';
import { closeRedis } from '../../runtime/connections';
import { testOperatorToken } from '../support/api-client';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { testRedis } from '../support/redis';
import { stateDifference, storedState } from '../support/stored-state';
import { validBody } from '../support/validation-cases';
import { validExamples, type Example } from '../support/valid-examples';
import { badRequests, type QueryValues, type SentBody } from '../support/validation-cases';
import { newWorld, type World } from '../support/validation-world';

/**
 * Issue 6: every route, each validation error. For every route that takes
 * path, query or body input, the cases come from its schemas (see
 * support/invalid-inputs.ts) and its valid example (support/valid-examples.ts).
 */

/** Routes declared outside endpoints() that validate input all the same (none now). */
const outsideEndpoints: DeclaredRoute[] = [];
/** Routes outside endpoints() that take no input. */
const withoutInput = [
  'GET /healthz',
  'GET /readyz',
  'GET /api/v1/openapi.json',
  'GET /',
  'GET /metrics',
];

let engine: TestEngine;
let redis: RedisClient;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
  redis = await testRedis();
});
afterAll(async () => {
  await closeRedis(redis);
  await engine.close();
});

const keyOf = (route: { method: string; path: string }) =>
  `${route.method.toUpperCase()} ${route.path}`;
const allRoutes = () => [...engine.app.declaredRoutes(), ...outsideEndpoints];
const validating = () => allRoutes().filter((r) => r.params ?? r.query ?? r.body ?? r.rawBody);

async function send(
  route: DeclaredRoute,
  request: { params: Record<string, string>; query: QueryValues; body: SentBody },
  token: string | undefined,
  idempotencyKey: string,
) {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(request.params[name] ?? ''),
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query)) {
    for (const one of Array.isArray(value) ? value : [value]) search.append(key, one);
  }
  const query = search.size > 0 ? `?${search.toString()}` : '';
  const body = request.body;
  const response = await fetch(`${engine.app.url}${path}${query}`, {
    method: route.method.toUpperCase(),
    headers: {
      ...(body
        ? { 'content-type': ('raw' in body && body.contentType) || 'application/json' }
        : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      // A POST that claimed its key before validating would leave the claim behind.
      ...(route.method === 'post' ? { 'idempotency-key': idempotencyKey } : {}),
    },
    ...(body ? { body: 'raw' in body ? body.raw : JSON.stringify(body.json) } : {}),
  });
  const text = await response.text();
  // A CSV export answers text, an attachment its bytes; errors are JSON like every other route's.
  const json = response.headers.get('content-type')?.startsWith('application/json') ?? true;
  return {
    status: response.status,
    body: text && json ? (JSON.parse(text) as unknown) : text || undefined,
  };
}

const stateOf = (world: World) =>
  storedState(
    { db: engine.db, redis, temporal: engine.temporal.client },
    world.tenantId,
    world.workflowIds(),
  );

/** The tenant's stored state once fixtures have stopped writing (a session's greeting, say). */
async function quietState(world: World): Promise<string[]> {
  const read = () => stateOf(world);
  let last = await read();
  return eventually(async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await read();
    const same = stateDifference(last, now).length === 0;
    last = now;
    return same ? now : undefined;
  });
}

describe('input validation of the HTTP API', () => {
  it('when a route takes input, then it has a valid example here, and every example has its route', () => {
    const routes = validating().map(keyOf).sort();
    expect(Object.keys(validExamples).sort()).toEqual(routes);
  });

  it('when a route that takes no query is sent a parameter, then 400 names it and nothing is written', async () => {
    const world = await newWorld(engine);
    const routes = engine.app.declaredRoutes().filter((r) => !r.query);
    expect(routes.length).toBeGreaterThan(0);
    // Fixtures first (an example may create what its path names), then the quiet state.
    const requests = [];
    for (const route of routes) {
      const example = route.params ? await validExamples[keyOf(route)]?.example(world) : undefined;
      requests.push({ route, params: example?.params ?? {} });
    }
    const before = await quietState(world);
    const problems: string[] = [];
    for (const [index, { route, params }] of requests.entries()) {
      const token = await world.credential(route.roles);
      const answer = await send(
        route,
        { params, query: { unexpected: '1' }, body: undefined },
        token,
        `${world.tenantId}-query-${index}`,
      );
      const named = errorBody.safeParse(answer.body).data?.error.fields?.map((f) => f.path) ?? [];
      if (answer.status !== 400 || !named.includes('unexpected')) {
        problems.push(`${keyOf(route)}: answered ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(stateDifference(before, await stateOf(world))).toEqual([]);
  }, 120_000);

  it('when express answers a route, then it is declared through endpoints() or listed here', () => {
    const known = new Set([...allRoutes().map(keyOf), ...withoutInput]);
    expect(
      engine.app
        .routes()
        .map(keyOf)
        .filter((key) => !known.has(key)),
    ).toEqual([]);
  });

  describe.each(Object.keys(validExamples))('%s', (key) => {
    it('when any one input is missing, mistyped, out of range, malformed or unknown, or the JSON is broken, then 400 names it and nothing is written; the valid example passes', async () => {
      const route = validating().find((r) => keyOf(r) === key);
      const entry = validExamples[key];
      if (!route || !entry) throw new Error(`${key} is not a route that takes input`);
      const world = await newWorld(engine);
      const valid: Example = await entry.example(world);
      const token = await world.credential(entry.as ? [entry.as] : route.roles);
      const cases = badRequests(route, entry, valid);
      expect(cases.length).toBeGreaterThan(0);

      let before = await quietState(world);
      const problems: string[] = [];
      for (const [index, bad] of cases.entries()) {
        const answer = await send(route, bad, token, `${world.tenantId}-bad-${index}`);
        const error = errorBody.safeParse(answer.body).data?.error;
        const named = error?.fields?.map((f) => f.path) ?? [];
        const { expects } = bad;
        const expected =
          'fields' in expects
            ? answer.status === 400 &&
              error?.code === 'invalid_request' &&
              named.some((path) => expects.fields.includes(path))
            : answer.status === expects.status && error?.code === expects.code;
        if (!expected) {
          problems.push(`${bad.name}: answered ${answer.status} ${JSON.stringify(answer.body)}`);
        }
        // A rejected request must not write at all, so there is nothing to wait for.
        const after = await stateOf(world);
        const written = stateDifference(before, after);
        if (written.length > 0) problems.push(`${bad.name}: wrote ${written.join('\n')}`);
        // Each case answers for its own writes only.
        before = after;
      }
      expect(problems).toEqual([]);

      const passed = await send(
        route,
        {
          params: valid.params ?? {},
          query: valid.query ?? {},
          body: validBody(route, valid),
        },
        token,
        `${world.tenantId}-valid`,
      );
      expect(passed).toMatchObject({ status: valid.answers });
    }, 120_000);
  });
});
