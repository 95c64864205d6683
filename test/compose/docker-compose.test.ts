import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { configKeys } from '../../runtime/config';
import { createMetrics, registerQueueGauges } from '../../runtime/metrics';
import { searchAttributeNames } from '../../workflows/contract';

/**
 * docker-compose.yml and the Dockerfile cannot run on the development machines
 * (no Docker engine), so this reads them and checks them against what the
 * engine needs: its services, its configuration keys, its search attributes
 * and the files the TypeScript build produces.
 */

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** `environment:` as a map or as a list of KEY=VALUE, read as a map. */
const environment = z
  .union([
    z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    z.array(z.string()),
  ])
  .optional()
  .transform((env): Record<string, string> => {
    if (env === undefined) return {};
    if (Array.isArray(env)) {
      return Object.fromEntries(
        env.map((entry) => {
          const [key = '', ...value] = entry.split('=');
          return [key, value.join('=')];
        }),
      );
    }
    return Object.fromEntries(
      Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]),
    );
  });

/** `depends_on:` as a list or as a map with conditions; a list means service_started. */
const dependsOn = z
  .union([
    z.array(z.string()),
    z.record(z.string(), z.object({ condition: z.string().default('service_started') })),
  ])
  .optional()
  .transform((deps): Record<string, string> => {
    if (deps === undefined) return {};
    if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
    return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition]));
  });

const commandLine = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((command) => (Array.isArray(command) ? command.join(' ') : (command ?? '')));

const service = z.object({
  image: z.string().optional(),
  build: z.unknown().optional(),
  command: commandLine,
  entrypoint: commandLine,
  environment,
  depends_on: dependsOn,
  healthcheck: z.object({ test: z.union([z.string(), z.array(z.string())]) }).optional(),
  ports: z.array(z.union([z.string(), z.number()])).optional(),
  volumes: z.array(z.string()).optional(),
});
type Service = z.infer<typeof service>;

const compose = z
  .object({
    services: z.record(z.string(), service),
    volumes: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .parse(parse(read('docker-compose.yml'), { merge: true }));

function serviceNamed(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

const imageTag = (name: string) => serviceNamed(name).image?.split(':')[1];

/** The stages of the Dockerfile, each as its instruction lines (comments dropped). */
const dockerStages = read('Dockerfile')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .reduce<string[][]>((stages, line) => {
    if (/^FROM\s/i.test(line)) stages.push([line]);
    else stages.at(-1)?.push(line);
    return stages;
  }, []);
const runtimeStage = dockerStages.at(-1) ?? [];

/**
 * Where `npm run build` (tsc -p tsconfig.build.json) writes the compiled form
 * of `source`; fails when the source is missing or outside the build.
 */
function builtPath(source: string): string {
  const tsconfig = z.object({
    extends: z.string().optional(),
    compilerOptions: z.object({ outDir: z.string(), rootDir: z.string() }).partial().optional(),
    include: z.array(z.string()).optional(),
  });
  const build = tsconfig.parse(JSON.parse(read('tsconfig.build.json')));
  const base = build.extends ? tsconfig.parse(JSON.parse(read(build.extends))) : {};
  const options = { ...base.compilerOptions, ...build.compilerOptions };
  const include = build.include ?? base.include ?? [];
  if (!existsSync(join(root, source))) throw new Error(`${source} does not exist`);
  if (!include.includes(source.split('/')[0] ?? '')) {
    throw new Error(`${source} is outside tsconfig.build.json's include`);
  }
  expect(posix.normalize(options.rootDir ?? '.')).toBe('.');
  return posix.join(options.outDir ?? '.', source.replace(/\.ts$/, '.js'));
}

const requiredServices = [
  'mongodb',
  'redis',
  'postgresql',
  'temporal',
  'temporal-setup',
  'temporal-ui',
  'api',
  'worker',
  'prometheus',
  'grafana',
];
const engineServices = ['api', 'worker'];

describe('docker-compose.yml', () => {
  it.each(requiredServices)('has the %s service', (name) => {
    expect(compose.services[name]).toBeDefined();
  });

  it.each([
    ['api', configKeys.api],
    ['worker', configKeys.worker],
  ])('when %s starts, then every config key it validates is set explicitly', (name, keys) => {
    const env = serviceNamed(name).environment;
    expect(keys.filter((key) => !(key in env))).toEqual([]);
  });

  it.each(engineServices)('%s reaches the compose servers by service name', (name) => {
    expect(serviceNamed(name).environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      MONGODB_URL: 'mongodb://mongodb:27017',
      REDIS_URL: 'redis://redis:6379',
    });
  });

  it('when api starts, then it listens on every interface of its container', () => {
    expect(serviceNamed('api').environment).toMatchObject({ HOST: '0.0.0.0', PORT: '3000' });
    expect(serviceNamed('api').ports).toContain('3000:3000');
  });

  it('when TOKEN_SECRET is not in the environment, then compose refuses to start', () => {
    expect(serviceNamed('api').environment.TOKEN_SECRET).toMatch(/^\$\{TOKEN_SECRET:\?.+\}$/);
  });

  it.each(engineServices)(
    '%s waits for healthy MongoDB and Redis and for the search attributes',
    (name) => {
      expect(serviceNamed(name).depends_on).toMatchObject({
        mongodb: 'service_healthy',
        redis: 'service_healthy',
        'temporal-setup': 'service_completed_successfully',
      });
    },
  );

  it('when a service waits for another to be healthy, then that one has a healthcheck', () => {
    const waitedOn = Object.values(compose.services).flatMap((s) =>
      Object.entries(s.depends_on)
        .filter(([, condition]) => condition === 'service_healthy')
        .map(([name]) => name),
    );
    expect(waitedOn).toEqual(expect.arrayContaining(['mongodb', 'redis', 'postgresql']));
    for (const name of waitedOn) expect(serviceNamed(name).healthcheck).toBeDefined();
  });

  it('every service a service depends on exists', () => {
    const missing = Object.values(compose.services)
      .flatMap((s) => Object.keys(s.depends_on))
      .filter((name) => !(name in compose.services));
    expect(missing).toEqual([]);
  });

  it('every named volume a service mounts is declared', () => {
    const named = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((volume) => volume.split(':')[0] ?? '')
      .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const name of named) expect(Object.keys(compose.volumes ?? {})).toContain(name);
  });

  it('Temporal keeps its data in the postgresql service once its schema is set up', () => {
    const temporal = serviceNamed('temporal');
    expect(temporal.image).toMatch(/^temporalio\/server:1\.\d+\.\d+$/);
    expect(temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    // temporalio/server does not create its schema: a one-shot job must have
    // done so, and must be done before the server starts.
    const schemaJobs = Object.entries(temporal.depends_on)
      .filter(([, condition]) => condition === 'service_completed_successfully')
      .map(([name]) => serviceNamed(name));
    expect(schemaJobs).toHaveLength(1);
    expect(schemaJobs[0]?.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
    });
    expect(schemaJobs[0]?.depends_on).toMatchObject({ postgresql: 'service_healthy' });
  });

  it('the Temporal admin tools are the same release as the server', () => {
    const setupServices = Object.entries(compose.services)
      .filter(([, s]) => s.image?.startsWith('temporalio/admin-tools:'))
      .map(([name]) => name);
    expect(setupServices).toContain('temporal-setup');
    for (const name of setupServices) expect(imageTag(name)).toBe(imageTag('temporal'));
  });

  it('registers every search attribute the workflows use, as Keyword, in the default namespace', () => {
    const setup = serviceNamed('temporal-setup');
    expect(setup.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'default',
    });
    expect(setup.depends_on).toMatchObject({ temporal: 'service_healthy' });
    // The setup command runs a script mounted from the checkout.
    const mount = (setup.volumes ?? []).find((volume) => volume.startsWith('./'));
    const [hostDir = '', containerDir = ''] = mount?.split(':') ?? [];
    const script = `${setup.entrypoint} ${setup.command}`.match(
      new RegExp(`${containerDir}/[\\w.-]+\\.sh`),
    )?.[0];
    expect(script).toBeDefined();
    const register = read(posix.join(hostDir, posix.relative(containerDir, script ?? '')));
    const loop = /for name in ([A-Za-z ]+); do/.exec(register)?.[1]?.trim().split(/\s+/) ?? [];
    expect([...loop].sort()).toEqual([...searchAttributeNames].sort());
    expect(register).toMatch(
      /temporal operator search-attribute create [^\n]*--name "\$name" --type Keyword/,
    );
  });

  it('serves the Temporal Web UI on port 8233 against the compose server', () => {
    const ui = serviceNamed('temporal-ui');
    expect(ui.image).toMatch(/^temporalio\/ui:/);
    expect(ui.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(ui.ports).toContain('8233:8080');
  });
});

/** The host file a service mounts at `target` (a file or a folder of it). */
function mountedFile(name: string, target: string): string {
  for (const volume of serviceNamed(name).volumes ?? []) {
    const [host = '', container = ''] = volume.split(':');
    if (!host.startsWith('./')) continue;
    if (target === container) return host;
    if (target.startsWith(`${container}/`)) return posix.join(host, target.slice(container.length));
  }
  throw new Error(`${name} mounts nothing from the checkout at ${target}`);
}

describe('metrics stack', () => {
  const scrapeConfig = z
    .object({
      scrape_configs: z.array(
        z.object({
          job_name: z.string(),
          metrics_path: z.string().default('/metrics'),
          dns_sd_configs: z.array(z.object({ names: z.array(z.string()), port: z.number() })),
        }),
      ),
    })
    .parse(parse(read(mountedFile('prometheus', '/etc/prometheus/prometheus.yml'))));

  it.each([
    ['api', 'PORT'],
    ['worker', 'WORKER_METRICS_PORT'],
  ])(
    'when Prometheus scrapes, then it reaches every %s replica on /metrics at its %s',
    (name, key) => {
      const job = scrapeConfig.scrape_configs.find((j) =>
        j.dns_sd_configs.some((sd) => sd.names.includes(name)),
      );
      expect(job?.metrics_path).toBe('/metrics');
      expect(job?.dns_sd_configs[0]?.port).toBe(Number(serviceNamed(name).environment[key]));
    },
  );

  it('when the worker exports the Temporal SDK metrics, then they stay on loopback', () => {
    expect(serviceNamed('worker').environment.TEMPORAL_METRICS_ADDRESS).toMatch(
      /^127\.0\.0\.1:\d+$/,
    );
  });

  it('Grafana is provisioned with the Prometheus data source and the dashboard the provider loads', () => {
    const provisioning = mountedFile('grafana', '/etc/grafana/provisioning');
    const datasources = z
      .object({ datasources: z.array(z.object({ uid: z.string(), url: z.string() })) })
      .parse(parse(read(posix.join(provisioning, 'datasources', 'prometheus.yml'))));
    expect(datasources.datasources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' }),
      ]),
    );
    const providers = z
      .object({ providers: z.array(z.object({ options: z.object({ path: z.string() }) })) })
      .parse(parse(read(posix.join(provisioning, 'dashboards', 'reception.yml'))));
    const folder = mountedFile('grafana', providers.providers[0]?.options.path ?? '');
    expect(existsSync(join(root, folder, 'reception-engine.json'))).toBe(true);
  });

  it('every engine and Node metric the dashboard charts is one the engine exports', () => {
    const dashboard = z
      .object({
        panels: z.array(
          z.object({
            targets: z
              .array(z.object({ expr: z.string(), datasource: z.object({ uid: z.string() }) }))
              .optional(),
          }),
        ),
      })
      .parse(
        JSON.parse(
          read(
            posix.join(mountedFile('grafana', '/etc/grafana/dashboards'), 'reception-engine.json'),
          ),
        ),
      );
    const targets = dashboard.panels.flatMap((panel) => panel.targets ?? []);
    expect(targets.length).toBeGreaterThan(10);
    for (const target of targets) expect(target.datasource.uid).toBe('prometheus');
    const metrics = createMetrics('api');
    registerQueueGauges(
      metrics,
      () => Promise.resolve({ waiting: 0, longestWaitMs: 0 }),
      () => undefined,
    );
    const exported = new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
    const charted = targets.flatMap(
      (t) => t.expr.match(/\b(reception|process|nodejs)_[a-z0-9_]+/g) ?? [],
    );
    const missing = charted
      .map((name) => (exported.has(name) ? name : name.replace(/_(bucket|count|sum)$/, '')))
      .filter((name) => !exported.has(name));
    expect(missing).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('builds on glibc Node 20 in every stage, never alpine', () => {
    expect(dockerStages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerStages) expect(stage[0]).toMatch(/^FROM node:20-bookworm-slim\b/);
  });

  it('compiles the TypeScript in the build stage and ships dist and console', () => {
    expect(dockerStages.slice(0, -1).flat()).toContain('RUN npm run build');
    expect(runtimeStage).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^COPY --from=\S+ \/app\/dist dist$/),
        'COPY console console',
      ]),
    );
    // Every folder the build compiles is copied into the build stage.
    const built = z
      .object({ include: z.array(z.string()) })
      .parse(JSON.parse(read('tsconfig.build.json'))).include;
    for (const folder of built) expect(dockerStages[0]).toContain(`COPY ${folder} ${folder}`);
  });

  it('installs production dependencies only in the runtime stage', () => {
    expect(runtimeStage.find((line) => /^RUN npm (ci|install)\b/.test(line))).toMatch(/--omit=dev/);
  });

  it('runs as a non-root user and exposes the API port', () => {
    expect(runtimeStage).toContain('EXPOSE 3000');
    const user = runtimeStage.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)\b/);
  });

  it('when run without a command, then the image starts the API the build produces', () => {
    const api = builtPath('api/main.ts');
    expect(api).toBe('dist/api/main.js');
    expect(runtimeStage.filter((line) => line.startsWith('CMD ')).at(-1)).toBe(
      `CMD ["node", "${api}"]`,
    );
    expect(serviceNamed('api').command).toBe(`node ${api}`);
    expect(serviceNamed('api').build).toBeDefined();
  });

  it('the worker service runs the worker the build produces, from the same image', () => {
    const worker = builtPath('workers/main.ts');
    expect(worker).toBe('dist/workers/main.js');
    expect(serviceNamed('worker').command).toBe(`node ${worker}`);
    expect(serviceNamed('worker').build).toEqual(serviceNamed('api').build);
    // The worker bundles its workflows from the compiled code at start.
    expect(builtPath('workflows/index.ts')).toBe('dist/workflows/index.js');
  });
});
