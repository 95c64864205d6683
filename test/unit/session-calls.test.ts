import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { AppError } from '../../api/errors';
import { told, type RetryPolicy } from '../../api/http/session-calls';

/** An error shaped as the Temporal client passes the server's gRPC status through. */
function grpcError(code: number): ServiceError {
  const cause = Object.assign(new Error(`${code} status`), {
    code,
    details: 'workflow task failed',
    metadata: {},
  });
  return new ServiceError('Workflow Update failed', { cause });
}

const FAILED_PRECONDITION = 9;
const UNAVAILABLE = 14;

/** Sleeps on a fake clock: the policy's pauses add up without waiting. */
function fakeClock(waitMs: number): RetryPolicy & { pauses: number[] } {
  const pauses: number[] = [];
  let offset = 0;
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
  return {
    waitMs,
    pauses,
    sleep: (ms) => {
      pauses.push(ms);
      offset += ms;
      return Promise.resolve();
    },
  };
}

afterEach(() => jest.restoreAllMocks());

describe('told: a command to a session workflow', () => {
  it('when the session refuses updates for a while (its task failed with a dead worker), then it is asked again, as the same update, until it answers', async () => {
    const clock = fakeClock(20_000);
    const ids: string[] = [];
    const answer = await told((updateId) => {
      ids.push(updateId);
      return ids.length < 4
        ? Promise.reject(grpcError(FAILED_PRECONDITION))
        : Promise.resolve('rated');
    }, clock);
    expect(answer).toBe('rated');
    expect(ids).toHaveLength(4);
    // One update, asked four times: the server runs it at most once.
    expect(new Set(ids).size).toBe(1);
    expect(clock.pauses).toEqual([200, 400, 800]);
  });

  it('when it keeps refusing past the wait, then the caller gets a 503 naming the reason', async () => {
    const clock = fakeClock(5_000);
    const refusing = () => Promise.reject(grpcError(FAILED_PRECONDITION));
    const error: unknown = await told(refusing, clock).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 503, code: 'session_busy' });
    expect(clock.pauses.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000);
  });

  it('when the error is of another kind, then it is not retried', async () => {
    const clock = fakeClock(20_000);
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(grpcError(UNAVAILABLE));
    };
    await expect(told(failing, clock)).rejects.toBeInstanceOf(ServiceError);
    expect(calls).toBe(1);
    const gone = () => Promise.reject(new WorkflowNotFoundError('gone', 'wf', undefined));
    await expect(told(gone, clock)).rejects.toMatchObject({ status: 409, code: 'session_closed' });
  });
});
