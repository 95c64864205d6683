import type { Logger } from '../runtime/logger';

/**
 * A worker's background job: one round every `intervalMs`. A round still
 * running when the next tick comes (a slow store) is not doubled, and a
 * failed round is logged; the next tick tries again.
 */
export function startPeriodicRounds(job: {
  name: string;
  intervalMs: number;
  log: Logger;
  round: () => Promise<unknown>;
}): { stop: () => Promise<void> } {
  let current: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    current ??= job
      .round()
      .catch((error: unknown) => {
        job.log.warn(`${job.name} round failed`, { error: String(error) });
      })
      .finally(() => (current = undefined));
  }, job.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
