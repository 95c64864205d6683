import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/**
 * The engine's logs: one JSON line per event (pino), `time` (ISO), `level`
 * (its name), `message`, then the bindings of the logger (`process`, a
 * request's `requestId`, a session's `sessionId`) and the event's fields.
 * Info and debug lines go to stdout, warnings and errors to stderr.
 *
 * Call sites keep a small interface — `log.info(message, fields)` — so the
 * library stays behind this file.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  /** A logger whose every line also carries `bindings` (a request id, a session id). */
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * Fields never written as they are, at any level: credentials and secrets,
 * at the top of a line's fields and one level down (`headers.authorization`,
 * `visitor.token`). pino's paths have no "any depth" wildcard, so a secret
 * must not be logged deeper than that.
 */
const secretFields = [
  'token',
  'accessToken',
  'password',
  'secret',
  'identitySecret',
  'apiKey',
  'authorization',
  'cookie',
  // Temporal's activity log lines carry it: whoever has it can complete the activity.
  'taskToken',
];

/**
 * What shoppers and agents write: chat text and rating comments. Hidden
 * unless the level is `debug`, where following a conversation is the point.
 */
const conversationFields = ['text', 'comment'];

export const redactedPaths = (level: LogLevel): string[] =>
  [...secretFields, ...(level === 'debug' ? [] : conversationFields)].flatMap((field) => [
    field,
    `*.${field}`,
  ]);

let standardStreams: DestinationStream | undefined;

/** stdout for debug and info, stderr for warn and error; shared by every logger of the process. */
function standardOutput(): DestinationStream {
  standardStreams ??= pino.multistream(
    [
      { level: 'debug', stream: pino.destination({ dest: 1, sync: false }) },
      { level: 'warn', stream: pino.destination({ dest: 2, sync: false }) },
    ],
    { dedupe: true },
  );
  return standardStreams;
}

const wrap = (logger: PinoLogger): Logger => ({
  debug: (message, meta) => logger.debug(meta ?? {}, message),
  info: (message, meta) => logger.info(meta ?? {}, message),
  warn: (message, meta) => logger.warn(meta ?? {}, message),
  error: (message, meta) => logger.error(meta ?? {}, message),
  child: (bindings) => wrap(logger.child(bindings)),
});

/**
 * A logger at `level` whose lines carry `base`; `destination` replaces
 * stdout/stderr (tests read the lines from it).
 */
export function createLogger(
  level: LogLevel,
  base: Record<string, unknown> = {},
  destination: DestinationStream = standardOutput(),
): Logger {
  const logger = pino(
    {
      level,
      base,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactedPaths(level), censor: '[redacted]' },
    },
    destination,
  );
  return wrap(logger);
}

/** An error's message without its stack, for logs and health answers. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
