import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrderLookupRequest } from '../../domain/order-lookup';
import { verify } from '../../events/signature';

export interface OrderSystemAnswer {
  status?: number;
  /** A string is sent as it is; anything else as JSON. */
  body: unknown;
  delayMs?: number;
}

export interface OrderLookupSeen {
  request: OrderLookupRequest;
  /** Whether the Reception-Signature checked out with the secret the stand-in was given. */
  signed: boolean;
}

/**
 * A local stand-in for a merchant's order system, as docs/order-lookup.md
 * tells merchants to build it: it verifies the signature over the raw body
 * (401 when it does not check out, once it knows the secret), then answers
 * what `answer(request)` says. It keeps every request it got.
 */
export async function orderSystem(answer: (request: OrderLookupRequest) => OrderSystemAnswer) {
  const calls: OrderLookupSeen[] = [];
  const delayed = new Set<NodeJS.Timeout>();
  let secret: string | undefined;
  const server: Server = createServer((req, res) => {
    // The shop's product pictures: a plain tile, so the console shows a picture, not a broken one.
    if (req.method === 'GET') {
      res
        .writeHead(200, { 'content-type': 'image/svg+xml' })
        .end(
          '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#7bc47f"/></svg>',
        );
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = req.headers['reception-signature']?.toString() ?? '';
      const signed = secret !== undefined && verify(secret, body, signature);
      const request = JSON.parse(body) as OrderLookupRequest;
      calls.push({ request, signed });
      if (!signed) {
        res.writeHead(401).end();
        return;
      }
      const reply = answer(request);
      const send = () => {
        if (res.destroyed) return;
        res
          .writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
          .end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      };
      if (!reply.delayMs) send();
      else {
        const timer = setTimeout(() => {
          delayed.delete(timer);
          send();
        }, reply.delayMs);
        delayed.add(timer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/orders`,
    /** A product picture the stand-in serves. */
    pictureUrl: `http://127.0.0.1:${port}/pictures/tea.svg`,
    calls,
    /** The signing secret the engine answered when the hook was created. */
    trust: (value: string) => {
      secret = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        delayed.forEach(clearTimeout);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An answer with one order of two lines, the second shipped with tracking. */
export const sampleOrders = (ref: string, pictureUrl = 'https://shop.example.com/img/tea.png') => ({
  orders: [
    {
      ref,
      status: 'partly shipped',
      placedAt: '2026-12-01T09:30:00Z',
      lines: [
        {
          sku: 'MUG-01',
          title: 'Blue ceramic mug',
          quantity: 2,
          price: 12.5,
          currency: 'EUR',
          status: 'preparing',
        },
        {
          sku: 'TEA-07',
          title: 'Green tea, 100 g',
          quantity: 1,
          price: 8,
          currency: 'EUR',
          imageUrl: pictureUrl,
          status: 'shipped',
          tracking: { carrier: 'DHL', number: 'JD0142', url: 'https://track.example.com/JD0142' },
        },
      ],
    },
  ],
});
