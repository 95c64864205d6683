import { MongoServerError } from 'mongodb';

/** True for a unique-index violation (E11000), on MongoDB and FerretDB alike. */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
