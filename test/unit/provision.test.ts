import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function provision(
  tool: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'provision-cli.ts'), tool],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('provisioning', () => {
  let cache: string;
  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'reception-cache-'));
  });
  afterAll(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it('when a tool cannot be had, then the error names the tool and what to do, and nothing is left half-made', async () => {
    // No Go and no temporal on this PATH, and an empty cache.
    const { code, output } = await provision('temporal', {
      PATH: '/usr/bin:/bin',
      RECEPTION_CACHE_DIR: cache,
    });
    expect(code).toBe(1);
    expect(output).toContain("Could not provision the Temporal CLI: 'go' is not on PATH");
    expect(output).toContain('What to do: install Go');
  });

  it('when asked for a tool it does not know, then it lists the ones it knows', async () => {
    const { code, output } = await provision('mongod', {
      PATH: '/usr/bin:/bin',
      RECEPTION_CACHE_DIR: cache,
    });
    expect(code).toBe(1);
    expect(output).toContain('unknown tool(s): mongod; known: redis-server, ferretdb, temporal');
  });
});
