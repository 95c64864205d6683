import { createServer } from 'node:net';

/** Resolves true when nothing listens on host:port (we can bind it ourselves). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.once('listening', () => server.close(() => resolve(true)));
    server.listen({ port, host, exclusive: true });
  });
}

/** A port the OS considers free right now (small race until the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server on ports of our own choosing (debug, metrics: ports nobody
 * configures). A free port is only free when it is picked: another process
 * may bind it before the server does (a fresh-clone test run lost Temporal's
 * metrics port that way), so a start that failed on one of them tries again
 * with new ones; any other failure is the server's own.
 */
export async function onFreshPorts<K extends string, T>(
  names: readonly K[],
  start: (picked: Record<K, number>) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const picked = {} as Record<K, number>;
    for (const name of names) picked[name] = await freePort();
    try {
      return await start(picked);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      const lost =
        message.includes('address already in use') &&
        names.some((name) => message.includes(`:${picked[name]}`));
      if (!lost || attempt >= attempts) throw error;
    }
  }
}

export interface NamedPort {
  port: number;
  /** What uses it and the env key that moves it, for the error message. */
  label: string;
}

/** Fails with every busy port named, before anything is started. */
export async function assertPortsFree(ports: NamedPort[]): Promise<void> {
  const busy: string[] = [];
  for (const { port, label } of ports) {
    if (!(await isPortFree(port))) busy.push(`  port ${port} (${label}) is already in use`);
  }
  if (busy.length > 0) {
    throw new Error(
      `Cannot start the stack:\n${busy.join('\n')}\nStop what uses it, or choose another port with the env key named.`,
    );
  }
}
