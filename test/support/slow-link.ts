import { createServer, connect, type Socket } from 'node:net';

export interface SlowLink {
  /** `url` with its host and port replaced by the link's. */
  url: string;
  close: () => Promise<void>;
}

/**
 * A TCP relay to the server of `url` that holds every answer back by
 * `delayMs`: one node's slow link to a shared server (its database, say),
 * which widens a race window from microseconds to a size a test can hit
 * every time. Chunks keep their order (timers of equal delay fire in the
 * order they were set).
 */
export async function startSlowLink(url: string, delayMs: number): Promise<SlowLink> {
  const target = new URL(url);
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    open.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      setTimeout(() => client.writable && client.write(chunk), delayMs);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const relayed = new URL(url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(port);
  return {
    url: relayed.toString(),
    close: async () => {
      open.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
