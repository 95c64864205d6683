import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { sign, signatureHeader } from './signature';
import { isPrivateAddress } from './url-policy';

export interface Attempt {
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  latencyMs: number;
  /** Why it failed, in a line the subscription's owner can read. */
  error?: string;
}

export interface DeliveryRequest {
  url: string;
  secret: string;
  eventId: string;
  eventType: string;
  /** The exact body: what is signed is what is sent. */
  payload: string;
  attempt: number;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** Resolves as the system does, then refuses private addresses unless allowed (url-policy.ts). */
export const guardedLookup =
  (allowPrivate: boolean): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !allowPrivate && isPrivateAddress(a.address));
      if (refused) {
        return callback(
          new Error(`${hostname} resolves to ${refused.address}, a private address`),
          '',
          0,
        );
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      return callback(null, first.address, first.family);
    });
  };

/**
 * One signed POST of an event to a receiver. Success is a 2xx answer within
 * the time limit; a redirect is not followed (the subscription names where
 * events go) and counts as a failure, as does any other answer or error.
 * The answer's body is read and dropped.
 */
export function deliver(request: DeliveryRequest): Promise<Attempt> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(request.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  // A literal address is connected to without a lookup: judged here instead.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!request.allowPrivate && isIP(literal) && isPrivateAddress(literal)) {
    return Promise.resolve({
      ok: false,
      latencyMs: 0,
      error: `${literal} is a private address`,
    });
  }
  return new Promise<Attempt>((resolve) => {
    const req = send(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(request.allowPrivate),
        timeout: request.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.payload),
          'user-agent': 'ReceptionEngine-Webhooks/1',
          [signatureHeader]: sign(request.secret, request.payload, Math.floor(Date.now() / 1000)),
          'reception-event-id': request.eventId,
          'reception-event-type': request.eventType,
          'reception-delivery-attempt': String(request.attempt),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          resolve({
            ok,
            status,
            latencyMs: elapsed(),
            ...(ok ? {} : { error: `the receiver answered HTTP ${status}` }),
          });
        });
        res.on('error', (error) =>
          resolve({
            ok: false,
            status: res.statusCode,
            latencyMs: elapsed(),
            error: error.message,
          }),
        );
      },
    );
    // A hard limit on the whole attempt, beside the socket's idle timeout.
    const timer = setTimeout(() => req.destroy(new Error('timed out')), request.timeoutMs);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) =>
      resolve({ ok: false, latencyMs: elapsed(), error: error.message || String(error) }),
    );
    req.on('close', () => clearTimeout(timer));
    req.end(request.payload);
  });
}
