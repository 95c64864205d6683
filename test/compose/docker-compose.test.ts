import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { configKeys } from '../../runtime/config';
import { searchAttributeNames } from '../../workflows/contract';

/**
 * docker-compose.yml cannot run on the development machines (no Docker
 * engine), so this reads it and checks it against what the engine needs.
 */

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

const environment = z
  .union([
    z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    z.array(z.string()),
  ])
  .optional()
  .transform((env): Record<string, string> => {
    if (env === undefined) return {};
    if (Array.isArray(env)) {
      return Object.fromEntries(
        env.map((entry) => [entry.split('=')[0] ?? '', entry.split('=').slice(1).join('=')]),
      );
    }
    return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)]));
  });

const service = z.object({
  image: z.string().optional(),
  build: z.unknown().optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  entrypoint: z.union([z.string(), z.array(z.string())]).optional(),
  environment,
  depends_on: z
    .union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string() }))])
    .optional(),
  volumes: z.array(z.string()).optional(),
});
type Service = z.infer<typeof service>;

const compose = z
  .object({ services: z.record(z.string(), service) })
  .parse(parse(read('docker-compose.yml'), { merge: true }));

function serviceNamed(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

const dependencies = (s: Service) =>
  Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
const commandOf = (s: Service) =>
  Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? '');

describe('docker-compose.yml', () => {
  it.each([
    'mongodb',
    'redis',
    'postgresql',
    'temporal-schema',
    'temporal',
    'temporal-setup',
    'temporal-ui',
    'api',
    'worker',
  ])('has the %s service', (name) => {
    expect(compose.services[name]).toBeDefined();
  });

  it.each([
    ['api', configKeys.api],
    ['worker', configKeys.worker],
  ])('when %s starts, then every config key it validates is set', (name, keys) => {
    const env = serviceNamed(name).environment;
    expect(keys.filter((key) => !(key in env))).toEqual([]);
  });

  it.each(['api', 'worker'])('%s points at the compose servers, not at localhost', (name) => {
    const env = serviceNamed(name).environment;
    expect(env).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      MONGODB_URL: 'mongodb://mongodb:27017',
      REDIS_URL: 'redis://redis:6379',
    });
  });

  it('requires TOKEN_SECRET from the environment instead of shipping one', () => {
    expect(serviceNamed('api').environment.TOKEN_SECRET).toMatch(/^\$\{TOKEN_SECRET:\?.+\}$/);
  });

  it.each(['api', 'worker'])('%s waits for MongoDB, Redis and the search attributes', (name) => {
    expect(dependencies(serviceNamed(name))).toEqual(
      expect.arrayContaining(['mongodb', 'redis', 'temporal-setup']),
    );
  });

  it('runs the api and the worker from the image the Dockerfile builds', () => {
    const dockerfile = read('Dockerfile');
    expect(commandOf(serviceNamed('api'))).toBe('node dist/api/main.js');
    expect(commandOf(serviceNamed('worker'))).toBe('node dist/workers/main.js');
    expect(serviceNamed('api').build).toBeDefined();
    expect(serviceNamed('worker').build).toBeDefined();
    expect(dockerfile).toContain('npm run build');
    expect(dockerfile).toContain('COPY console console');
    // Every folder the build compiles is copied in.
    const built = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
    for (const folder of built) expect(dockerfile).toContain(`COPY ${folder} ${folder}`);
  });

  it('registers every search attribute the workflows use, as Keyword', () => {
    const setup = serviceNamed('temporal-setup');
    const script = (setup.entrypoint ?? []).toString();
    expect(script).toContain('/setup/register.sh');
    const register = read('deploy/temporal/register.sh');
    const loop = /for name in ([A-Za-z ]+); do/.exec(register)?.[1]?.split(' ') ?? [];
    expect([...loop].sort()).toEqual([...searchAttributeNames].sort());
    expect(register).toContain('--type Keyword');
  });

  it('creates the Temporal schema before the server starts', () => {
    expect(dependencies(serviceNamed('temporal'))).toContain('temporal-schema');
    expect(serviceNamed('temporal-schema').environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
    });
    expect(serviceNamed('temporal').environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
    });
  });
});
