import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup } from './deliver';
import { sign, signatureHeader } from './signature';
import { isPrivateAddress } from './url-policy';

/**
 * One signed POST to a tenant's bot (or another hook of the tenant that
 * answers, such as the order lookup), reading its answer (deliver.ts sends
 * webhooks the same way but drops the answer). The same address policy:
 * literal private addresses are refused before connecting, and host names
 * are refused when they resolve to one, unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES.
 * A redirect is not followed. The answer body is read up to `maxBytes`.
 */

export interface BotCall {
  url: string;
  secret: string;
  /** The exact body: what is signed is what is sent. */
  payload: string;
  timeoutMs: number;
  allowPrivate: boolean;
  maxBytes: number;
  /** Aborts the call (the activity's cancellation). */
  signal?: AbortSignal;
  /** Who is called, as errors name it (default `the bot`) and the User-Agent the call sends. */
  party?: { name: string; userAgent: string };
}

export type BotCallResult =
  | { ok: true; status: number; body: string }
  | { ok: false; status?: number; error: string; refused?: boolean };

export function callBot(call: BotCall): Promise<BotCallResult> {
  const party = call.party ?? { name: 'the bot', userAgent: 'ReceptionEngine-BotHook/1' };
  const url = new URL(call.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!call.allowPrivate && isIP(literal) && isPrivateAddress(literal)) {
    return Promise.resolve({ ok: false, refused: true, error: `${literal} is a private address` });
  }
  return new Promise<BotCallResult>((resolve) => {
    const req = send(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(call.allowPrivate),
        timeout: call.timeoutMs,
        ...(call.signal ? { signal: call.signal } : {}),
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(call.payload),
          'user-agent': party.userAgent,
          [signatureHeader]: sign(call.secret, call.payload, Math.floor(Date.now() / 1000)),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume();
          resolve({ ok: false, status, error: `${party.name} answered HTTP ${status}` });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > call.maxBytes) {
            req.destroy(new Error(`the answer is longer than ${call.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ ok: true, status, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => resolve({ ok: false, status, error: error.message }));
        // Cut off before its end (too long, timed out): a promise settles once, so after 'end' this is nothing.
        res.on('close', () => resolve({ ok: false, status, error: 'the answer was cut off' }));
      },
    );
    // A hard limit on the whole call, beside the socket's idle timeout.
    const timer = setTimeout(() => req.destroy(new Error('timed out')), call.timeoutMs);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => {
      const refused = /a private address/.test(error.message);
      resolve({
        ok: false,
        error: error.message || String(error),
        ...(refused ? { refused } : {}),
      });
    });
    req.on('close', () => clearTimeout(timer));
    req.end(call.payload);
  });
}
