import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface ReceivedHook {
  id: string;
  type: string;
  /** The raw body, as signed. */
  body: string;
  signature: string;
  /** What the receiver answered. */
  status: number;
}

/** A webhook receiver on this machine: answers what `answer()` says, and keeps every request. */
export async function webhookReceiver(answer: () => number = () => 200) {
  const received: ReceivedHook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const event = z.object({ id: z.string(), type: z.string() }).parse(JSON.parse(body));
      const status = answer();
      received.push({
        id: event.id,
        type: event.type,
        body,
        signature: req.headers['reception-signature']?.toString() ?? '',
        status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
