import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onFreshPorts } from '../../scripts/stack/ports';
import { startTemporal, type TemporalDynamicConfig } from '../../scripts/stack/servers';
import { testStack } from './stack';

/**
 * A Temporal dev server of the suite's own, for settings the shared one must
 * not have (such as suggesting continue-as-new after a few dozen events).
 */
export async function startOwnTemporal(
  dynamicConfig: TemporalDynamicConfig,
): Promise<{ address: string; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'reception-temporal-'));
  await mkdir(join(dataDir, 'logs'));
  const { server, frontend } = await onFreshPorts(
    ['frontend', 'http', 'metrics'],
    async (ports) => ({
      server: await startTemporal(
        testStack.temporal,
        ports,
        { dataDir, persistent: false },
        dynamicConfig,
      ),
      frontend: ports.frontend,
    }),
  );
  return {
    address: `127.0.0.1:${frontend}`,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
