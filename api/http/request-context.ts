import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../runtime/logger';
import type { EngineMetrics } from '../../runtime/metrics';

/**
 * What the API knows about one HTTP request while it runs: its id, its
 * logger (carrying the id, and the session id once a route names one), and
 * the declared route that answered it. One middleware, before every route,
 * sets it up and, when the answer is done, writes the access line and the
 * duration metric.
 *
 * The request id is the caller's `X-Request-Id` when that is a plain token
 * (a proxy's or the caller's own id, so their logs and ours meet), else a new
 * UUID; it is echoed in the answer's `X-Request-Id`.
 */

interface RequestState {
  log: Logger;
  /** The declared path (`/api/v1/sessions/:sessionId`), once a declared route took the request. */
  route?: string;
}

const states = new WeakMap<Request, RequestState>();

/** Letters, digits and `._:-`, at most 128: anything else is not written into our logs. */
const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** The metric's and the log's route for a request no declared route took (pages, docs, 404s). */
export const unmatchedRoute = 'unmatched';

export function requestContext(deps: { log: Logger; metrics: EngineMetrics }): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && saneRequestId.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const state: RequestState = { log: deps.log.child({ requestId }) };
    states.set(req, state);
    const started = performance.now();
    // 'close' also comes when the client went away before the answer was done.
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const route = state.route ?? unmatchedRoute;
      const status = res.statusCode;
      deps.metrics.httpRequestDuration.observe(
        { method: req.method, route, status: String(status) },
        seconds,
      );
      state.log.info('request', {
        method: req.method,
        route,
        status,
        durationMs: Math.round(seconds * 1000),
      });
    });
    next();
  };
}

/** A declared route took the request: its template names it in metrics and logs. */
export function noteRoute(req: Request, route: string): void {
  const state = states.get(req);
  if (state) state.route = route;
}

/** Binds fields (the session the request is about) to the request's log lines from here on. */
export function bindToRequest(req: Request, bindings: Record<string, unknown>): void {
  const state = states.get(req);
  if (state) state.log = state.log.child(bindings);
}

/** The request's logger; `fallback` outside a request context. */
export function requestLog(req: Request, fallback: Logger): Logger {
  return states.get(req)?.log ?? fallback;
}
