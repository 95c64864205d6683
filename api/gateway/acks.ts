import type { z } from 'zod';
import type { Ack } from '../../domain/socket-events';
import { Refusal } from '../../messaging/refusal';
import type { Logger } from '../../runtime/logger';
import { fieldProblems } from '../errors';

type Reply<T> = (result: Ack<T>) => void;

/**
 * Runs one socket request: validates the payload at the edge (an error ack
 * names each bad field and nothing runs), then answers with the result, a
 * refusal's code and message, or a generic internal error (details go to
 * the log, never to the client). A request without an ack callback is
 * dropped: there is nobody to answer.
 */
export function handle<S extends z.ZodType, T>(
  schema: S,
  log: Logger,
  what: string,
  run: (input: z.output<S>, reply: Reply<T>) => Promise<void>,
) {
  return async (payload: unknown, ack: unknown): Promise<void> => {
    if (typeof ack !== 'function') return;
    const reply = ack as Reply<T>;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      const message = fieldProblems(parsed.error)
        .map((f) => `${f.path}: ${f.message}`)
        .join('; ');
      return reply({ ok: false, error: { code: 'invalid_payload', message } });
    }
    try {
      await run(parsed.data, reply);
    } catch (error) {
      if (error instanceof Refusal) {
        return reply({ ok: false, error: { code: error.code, message: error.message } });
      }
      log.error(`${what} failed`, { error: String(error) });
      reply({ ok: false, error: { code: 'internal', message: `Could not ${what}; try again` } });
    }
  };
}

/** The bearer token a client put in its handshake's `auth`. */
export function handshakeToken(auth: unknown): unknown {
  return typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
}

/**
 * Lets a socket of a tenant connect unless the tenant is suspended: the
 * client's `connect_error` then says `tenant_suspended`, as HTTP's 403 does.
 */
export function admitUnlessSuspended(
  suspension: { isSuspended(tenantId: string): Promise<boolean> },
  tenantId: string,
  next: (error?: Error) => void,
): void {
  suspension.isSuspended(tenantId).then(
    (suspended) =>
      next(suspended ? new Error('tenant_suspended: the tenant is suspended') : undefined),
    () => next(new Error('unavailable: could not check the tenant; retry')),
  );
}
