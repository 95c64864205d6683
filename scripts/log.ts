/** Progress lines for the provisioning and stack scripts: `[step] message`. */
export function step(tag: string, message: string): void {
  process.stdout.write(`[${tag}] ${message}\n`);
}

/** Prints "still working" every 15 s until the returned function is called. */
export function heartbeat(tag: string, what: string): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    step(tag, `${what}… ${Math.round((Date.now() - started) / 1000)} s`);
  }, 15_000);
  return () => clearInterval(timer);
}
