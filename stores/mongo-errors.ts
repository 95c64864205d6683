import { MongoServerError } from 'mongodb';

/** True for a unique-index violation (E11000), on MongoDB and FerretDB alike. */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/** FerretDB's answer to a MongoDB feature it lacks (e.g. TTL indexes). */
export function isNotImplemented(error: unknown): boolean {
  return error instanceof MongoServerError && /not implemented/i.test(error.message);
}
