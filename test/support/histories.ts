import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';

export const historiesDir = join(__dirname, '..', 'workflow', 'histories');

/**
 * With RE_RECORD_HISTORIES=1, saves a finished workflow's history for the
 * replay suite (protobuf binary: exact, and independent of JSON mapping
 * details). Recorded histories are committed: they are what running sessions
 * look like to a new deploy.
 */
export async function recordHistory(
  name: string,
  history: temporal.api.history.v1.IHistory,
): Promise<void> {
  if (process.env.RE_RECORD_HISTORIES !== '1') return;
  await writeFile(
    join(historiesDir, `${name}.history.bin`),
    temporal.api.history.v1.History.encode(history).finish(),
  );
}

export function readHistory(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.decode(readFileSync(join(historiesDir, file)));
}
