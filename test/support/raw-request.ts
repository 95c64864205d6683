import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  body: unknown;
}

/**
 * One HTTP request exactly as given: the path is sent unnormalised (a
 * malformed `%` escape stays malformed), any method may carry a body, and
 * headers such as Content-Encoding are not interpreted on the way out.
 * `fetch` does none of these.
 */
export function rawRequest(
  baseUrl: string,
  sent: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: sent.method,
        path: sent.path,
        headers: {
          ...(sent.body === undefined ? {} : { 'content-length': Buffer.byteLength(sent.body) }),
          ...sent.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            // Not JSON: the text itself is what the test reports.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end(sent.body);
  });
}
