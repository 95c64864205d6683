import { randomUUID } from 'node:crypto';

/**
 * Where the test stack's servers are: `npm test` starts them and passes their
 * addresses in RE_TEST_* variables.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the suites through \`npm test\`, which starts the servers they need.`,
    );
  }
  return value;
}

export const testStack = {
  get temporalAddress() {
    return required('RE_TEST_TEMPORAL_ADDRESS');
  },
  get mongodbUrl() {
    return required('RE_TEST_MONGODB_URL');
  },
  get redisUrl() {
    return required('RE_TEST_REDIS_URL');
  },
  /** Mailpit's SMTP server, and its HTTP API (GET /api/v1/messages…) to read what was sent. */
  get smtpUrl() {
    return required('RE_TEST_SMTP_URL');
  },
  get mailInbox() {
    return required('RE_TEST_MAIL_INBOX');
  },
  get temporal() {
    return required('RE_TEST_TEMPORAL');
  },
  get redisServer() {
    return required('RE_TEST_REDIS_SERVER');
  },
  get chromium() {
    return required('RE_TEST_CHROMIUM');
  },
  get timeSkippingServer() {
    return required('RE_TEST_TIME_SKIPPING_SERVER');
  },
};

/** A fresh id per test, so tests never share data. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

/** Each suite gets its own database on the shared FerretDB. */
export function uniqueDatabase(): string {
  return `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export const testSecret = 'test-secret-that-is-at-least-32-characters-long';
