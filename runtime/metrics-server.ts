import { createServer } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The exposition a scrape gets: the registry's metrics, then — on a worker
 * with the Temporal SDK's exporter on — the SDK's own (`temporal_…`), read
 * from its exporter, so one scrape of the worker has both. Their names never
 * overlap, so the two texts are one valid exposition.
 */
export async function metricsText(registry: Registry, sdkMetricsUrl?: string): Promise<string> {
  const ours = await registry.metrics();
  if (sdkMetricsUrl === undefined) return ours;
  try {
    const answer = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) });
    if (!answer.ok) throw new Error(`status ${answer.status}`);
    const sdk = await answer.text();
    return `${ours}${ours.endsWith('\n') ? '' : '\n'}${sdk}`;
  } catch (error) {
    // The engine's own metrics still answer; the gap in temporal_… series shows the SDK's problem.
    return `${ours}# reception: the Temporal SDK metrics at ${sdkMetricsUrl} did not answer (${String(error)})\n`;
  }
}

/**
 * Where the SDK's exporter answers, from the address it binds: an exporter
 * on every interface is read on loopback.
 */
export function sdkMetricsUrl(bindAddress: string): string {
  const at = bindAddress.lastIndexOf(':');
  const host = bindAddress.slice(0, at);
  const port = bindAddress.slice(at + 1);
  const reachable =
    host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `http://${reachable}:${port}/metrics`;
}

export interface MetricsServer {
  /** The bound port (useful with port 0). */
  port: number;
  close: () => Promise<void>;
}

/**
 * A process without an HTTP server of its own (the worker) answers
 * `GET /metrics` on a port of its own; anything else is 404.
 */
export async function serveMetrics(options: {
  registry: Registry;
  port: number;
  host: string;
  sdkMetricsUrl?: string;
}): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metricsText(options.registry, options.sdkMetricsUrl).then(
      (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
      (error: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
