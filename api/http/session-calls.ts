import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { refusalTypes } from '../../workflows/contract';
import { AppError } from '../errors';

/** The workflow's refusal types as HTTP answers; anything else is internal. */
const refusalStatus: Record<string, { status: number; code: string }> = {
  [refusalTypes.invalid]: { status: 400, code: 'invalid_request' },
  [refusalTypes.wrongPhase]: { status: 409, code: 'wrong_phase' },
  [refusalTypes.forbidden]: { status: 403, code: 'forbidden' },
  [refusalTypes.unavailable]: { status: 422, code: 'target_unavailable' },
};

export interface RetryPolicy {
  /** How long to keep asking a session that cannot take commands yet. */
  waitMs: number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * A worker that died inside a workflow task leaves it failed until the
 * server hands it to another worker (after the task's timeout, ~10 s), and
 * Temporal refuses updates meanwhile. The refusal means "not yet", and the
 * update was not recorded, so asking again is safe.
 */
const defaultRetry: RetryPolicy = {
  waitMs: 20_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** gRPC's status code for it (the client passes the server's status through). */
const failedPrecondition: number = 9;

function notReadyYet(error: unknown): boolean {
  const cause = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(cause) && Number(cause.code) === failedPrecondition;
}

/**
 * Runs a workflow update: the workflow's refusals and a finished workflow
 * become clear 4xx answers; a session that cannot take commands yet is asked
 * again with backoff, and a 503 says so if it stays that way. Every attempt
 * carries the same update id, so the server runs the update once even if an
 * attempt that seemed refused had been admitted.
 */
export async function told<T>(
  call: (updateId: string) => Promise<T>,
  retry = defaultRetry,
): Promise<T> {
  const updateId = randomUUID();
  const deadline = Date.now() + retry.waitMs;
  for (let pause = 200; ; pause = Math.min(pause * 2, 2_000)) {
    try {
      return await call(updateId);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw new AppError(409, 'session_closed', 'The session has ended');
      }
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        const mapped = error.cause.type ? refusalStatus[error.cause.type] : undefined;
        if (mapped) throw new AppError(mapped.status, mapped.code, error.cause.message);
      }
      if (!notReadyYet(error)) throw error;
      if (Date.now() + pause > deadline) {
        throw new AppError(
          503,
          'session_busy',
          'The session is being moved to another worker; try again in a few seconds',
        );
      }
      await retry.sleep(pause);
    }
  }
}
