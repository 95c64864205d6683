import { z } from 'zod';

/**
 * Process configuration, read from the environment once at start.
 * Every key is listed in `.env.example`; a bad value stops the process with a
 * message naming the key (see `loadConfig`).
 */

/** A TCP port, no default; with `min` 0, 0 asks the OS for a free port (tests). */
const anyPort = (min = 0) => {
  const message = `must be a port number from ${min} to 65535`;
  return z.coerce
    .number({ message })
    .int({ message })
    .min(min, { message })
    .max(65535, { message });
};

/** A TCP port with a default. */
export const portSchema = (fallback: number, min = 0) => anyPort(min).default(fallback);

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, { message: 'must look like host:port' });

/** Keys both the API and the worker need: where the three servers are. */
const connectionKeys = {
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('reception-sessions'),
  MONGODB_URL: url(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017'),
  MONGODB_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { message: 'must be 1-63 letters, digits, _ or -' })
    .default('reception'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
};

/**
 * Domain events and webhooks (events/): read by the API (the feed, URL
 * checks) and by the worker (delivery). Defaults are production values; the
 * retry keys exist so tests can compress a day of backoff into seconds.
 */
const eventKeys = {
  /** The feed serves an event only once it is this old: longer than any insert takes plus clock skew between nodes. */
  EVENT_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(3_000),
  /** Events (and the webhook delivery log) older than this are removed; the feed says how long it keeps them. */
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  /** Webhook URLs may name private, loopback or link-local addresses (demos and tests only). */
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], {
      message: 'must be true or false',
    })
    .default(false),
  /** The first retry waits this long; each next one twice as long, up to WEBHOOK_RETRY_MAX_MS. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(3_600_000),
  /** A delivery is retried for this long after its first attempt, then marked failed. */
  WEBHOOK_RETRY_WINDOW_MS: z.coerce.number().int().min(100).max(604_800_000).default(86_400_000),
  /** This many deliveries in a row marked failed disable the subscription. */
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(3),
  /** One delivery attempt's time limit (connect, send, answer). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** How often the delivery loop looks for new events. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
};

/**
 * The email channel (channels/email/): the worker mails agents' replies to
 * shoppers who are not reading them and tickets' answers; the API takes
 * their replies in. Unset SMTP_URL: nothing is mailed.
 */
const emailKeys = {
  /** Where mail is sent, e.g. smtp://user:pass@smtp.example.com:587; unset: the email channel sends nothing. */
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  /** The From address of every mail; the shop's name is its display name. */
  MAIL_FROM: z
    .email({ message: 'must be an email address' })
    .default('support@reception.localhost'),
  /** The domain of the reply addresses (reply+<token>@domain): the mail provider's inbound domain. */
  MAIL_REPLY_DOMAIN: z
    .string()
    .regex(/^(?=.{1,200}$)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, { message: 'must be a domain name' })
    .default('localhost'),
  /** An agent's lines wait this long for more (and for the shopper to read them) before one mail. */
  EMAIL_BATCH_MS: z.coerce.number().int().min(100).max(86_400_000).default(90_000),
  /**
   * Where shoppers reach the API from outside (https://chat.example.com):
   * mailed attachment links are made absolute on it. Unset: mails name an
   * uploaded attachment without a link (a path alone works in no inbox).
   */
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  // The API signs attachment links, and the worker signs those it mails, with the same two.
  /**
   * Signs attachment links (HMAC-SHA256 over tenant, session, attachment,
   * variant and expiry). Unset: derived from TOKEN_SECRET. All API nodes
   * and workers must share it.
   */
  ATTACHMENT_LINK_SECRET: z
    .string()
    .min(32, { message: 'must be at least 32 characters' })
    .optional(),
  /** How long an attachment link works; participants ask for a fresh one after. */
  ATTACHMENT_LINK_TTL_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(604_800),
};

const tokenSecret = z
  .string({ message: 'is required (a random string of at least 32 characters)' })
  .min(32, { message: 'must be at least 32 characters' });

export const workerConfigSchema = z.object({
  ...connectionKeys,
  ...eventKeys,
  ...emailKeys,
  /** Signs the reply addresses of mail (needed only with SMTP_URL; the same value as the API's). */
  TOKEN_SECRET: tokenSecret.optional(),
  /**
   * Sessions kept in the worker's memory between their steps (Temporal's
   * sticky cache). Unset: the SDK's default, sized from the heap limit (about
   * 2,300 on a 4 GiB heap). Each cached session holds one to two MiB, so a
   * worker's memory is bounded by this; a session not cached replays its
   * history (tens of events) on its next step instead.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).optional(),
  /**
   * The port of the worker's Prometheus `/metrics` (on every interface).
   * Unset: no metrics server, so several workers on one machine (tests, a
   * benchmark) need no ports of their own; `0`: a free port the system picks, logged at start.
   */
  WORKER_METRICS_PORT: anyPort().optional(),
  /**
   * Where the Temporal SDK's own Prometheus exporter binds (host:port), its
   * `temporal_…` worker metrics then served in the worker's `/metrics` too.
   * Unset: the SDK exports no metrics. A loopback address keeps it private.
   */
  TEMPORAL_METRICS_ADDRESS: hostPort.optional(),
  /**
   * Whether session steps record report facts (reports/). Off only for a
   * benchmark's baseline (`BENCH_REPORTS=compare npm run bench:lifecycle`):
   * a worker without them leaves holes in the reports.
   */
  REPORT_FACTS: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], {
      message: 'must be true or false',
    })
    .default(true),
});

export const apiConfigSchema = z.object({
  ...connectionKeys,
  ...eventKeys,
  ...emailKeys,
  PORT: portSchema(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  TOKEN_SECRET: tokenSecret,
  VISITOR_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(86_400),
  /** An anonymous shopper's credential (kept by the widget) lets them back into their chat this long. */
  VISITOR_CREDENTIAL_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(180),
  /** Agents log in once per shift; a short life bounds what a leaked console token can do. */
  AGENT_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(28_800),
  /**
   * The platform operator's bearer token: creates tenants and their first
   * admin key. Unset means no operator routes answer (tenants come from seeding).
   */
  OPERATOR_TOKEN: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  /** How long a POST answer is kept for replay under its Idempotency-Key. */
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(60).max(604_800).default(86_400),
  READINESS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  /**
   * How often a gateway node renews its presence lease; its agents'
   * connections count as gone when three renewals were missed (a node that died).
   */
  PRESENCE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  /** Per-shopper send rate: at most LIMIT messages per WINDOW seconds, on all nodes together. */
  VISITOR_SEND_LIMIT: z.coerce.number().int().min(1).max(100_000).default(30),
  VISITOR_SEND_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
  /** Agent login throttling: failed logins per account, and per client address, per window. */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000).default(5),
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(20),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Largest upload per kind of attachment, in bytes: a larger one is refused with 413 and nothing stored. */
  ATTACHMENT_MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1_073_741_824)
    .default(10_485_760),
  ATTACHMENT_MAX_VIDEO_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1_073_741_824)
    .default(52_428_800),
  ATTACHMENT_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1_073_741_824)
    .default(20_971_520),
  /**
   * Which proxies in front of the API to believe about the client's address
   * (X-Forwarded-For), as express's `trust proxy`: `false` (none: the
   * connection's address counts), `true` (any), a number of hops, or a
   * comma list of addresses, subnets or `loopback` / `linklocal` / `uniquelocal`.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9A-Za-z.:/]+(\s*,\s*[0-9A-Za-z.:/]+)*)$/, {
      message: 'must be true, false, a number of hops, or a comma list of addresses or subnets',
    })
    .default('false')
    .transform((value): boolean | number | string =>
      value === 'true'
        ? true
        : value === 'false'
          ? false
          : /^\d+$/.test(value)
            ? Number(value)
            : value,
    ),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;
/** The event and webhook settings, as both processes read them. */
export type EventConfig = Pick<WorkerConfig, keyof typeof eventKeys>;
/** The event and webhook settings out of a parsed config. */
export const eventConfigOf = (config: EventConfig): EventConfig =>
  Object.fromEntries(
    Object.keys(eventKeys).map((key) => [key, config[key as keyof EventConfig]]),
  ) as EventConfig;
export type ApiConfig = z.infer<typeof apiConfigSchema>;
/** The email channel's settings, as both processes read them. */
export type EmailConfig = Pick<WorkerConfig, keyof typeof emailKeys>;
/** The email channel's settings out of a parsed config. */
export const emailConfigOf = (config: EmailConfig): EmailConfig =>
  Object.fromEntries(
    Object.keys(emailKeys).map((key) => [key, config[key as keyof EmailConfig]]),
  ) as EmailConfig;

export class ConfigError extends Error {
  constructor(readonly problems: { key: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates `env` against `schema`; throws a ConfigError naming every bad key. */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  // Empty strings count as unset, as in most .env tooling.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      key: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    })),
  );
}

/** The worker's configuration: its schema, then the keys that need one another. */
export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  const config = parseConfig(workerConfigSchema, env);
  if (config.SMTP_URL !== undefined && config.TOKEN_SECRET === undefined) {
    throw new ConfigError([
      {
        key: 'TOKEN_SECRET',
        message: 'is required with SMTP_URL (the API’s value: it signs the reply addresses)',
      },
    ]);
  }
  return config;
}

/** Keys every process reads, for docs and the docker-compose check. */
export const configKeys = {
  api: Object.keys(apiConfigSchema.shape),
  worker: Object.keys(workerConfigSchema.shape),
};
