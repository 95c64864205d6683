/**
 * Runs work per key at most once at a time, and folds the calls that arrive
 * while it runs (or waits) into one more run after it. For work that reads
 * the current state when it starts (a list line, a last-activity time), that
 * later run covers every call it absorbed — so under a burst of messages a
 * session costs two runs instead of one per message, and the last run still
 * sees the latest state. With `spacingMs`, runs of one key also start at
 * least that far apart, which bounds their rate whatever the message rate.
 * Every caller's promise settles with the run that covers it.
 */
export function coalescer(spacingMs = 0) {
  const queued = new Map<string, Promise<void>>();
  const running = new Map<string, Promise<void>>();
  const lastStart = new Map<string, number>();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const start = (key: string) => {
    const now = Date.now();
    lastStart.set(key, now);
    // Forget the key once spacing no longer applies, so idle keys cost nothing.
    setTimeout(() => {
      if (lastStart.get(key) === now) lastStart.delete(key);
    }, spacingMs).unref();
  };

  return (key: string, run: () => Promise<void>): Promise<void> => {
    const waiting = queued.get(key);
    if (waiting) return waiting;
    const before = running.get(key) ?? Promise.resolve();
    const next: Promise<void> = before
      .catch(() => undefined)
      .then(async () => {
        const wait = (lastStart.get(key) ?? -Infinity) + spacingMs - Date.now();
        if (wait > 0) await sleep(wait);
        queued.delete(key);
        running.set(key, next);
        start(key);
        try {
          await run();
        } finally {
          if (running.get(key) === next) running.delete(key);
        }
      });
    queued.set(key, next);
    return next;
  };
}

export type Coalescer = ReturnType<typeof coalescer>;
