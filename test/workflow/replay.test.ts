import { readdirSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { historiesDir, readHistory } from '../support/histories';
import { quietTemporalRuntime } from '../support/quiet-runtime';
import { workflowBundlerOptions } from '../../workers/workflow-bundle';

/**
 * Deploys never break running sessions: every recorded history replays
 * against today's workflow code without a determinism error. A change that
 * fails here needs `patched()` (DESIGN.md §4).
 */

const histories = readdirSync(historiesDir).filter((file) => file.endsWith('.history.bin'));

describe('workflow replay', () => {
  beforeAll(() => quietTemporalRuntime());

  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it.each(histories)(
    'when %s is replayed on today’s code, then it is deterministic',
    async (file) => {
      await Worker.runReplayHistory(
        {
          workflowsPath: require.resolve('../../workflows'),
          bundlerOptions: workflowBundlerOptions,
        },
        readHistory(file),
        file,
      );
    },
  );
});
