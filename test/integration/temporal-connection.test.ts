import { AsyncLocalStorage } from 'node:async_hooks';
import { isGrpcDeadlineError } from '@temporalio/client';
import { connectTemporal, type TemporalHandle } from '../../runtime/connections';
import { CallScope } from '../../runtime/temporal-connection';
import { testStack, uniqueId } from '../support/stack';

/**
 * The engine's Temporal client keeps its call context without an
 * AsyncLocalStorage (runtime/temporal-connection.ts): entering one would turn
 * on promise hooks for the whole gateway process.
 */
describe("the engine's Temporal client", () => {
  let temporal: TemporalHandle;
  let entered: jest.SpiedFunction<AsyncLocalStorage<unknown>['run']>;

  beforeAll(async () => {
    entered = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    temporal = await connectTemporal(testStack.temporalAddress, 'default');
  });
  afterAll(async () => {
    entered.mockRestore();
    await temporal.connection.close();
  });

  it('when it connects, starts, signals, describes and ends a workflow, then it never enters an AsyncLocalStorage', async () => {
    // Nobody polls this queue: the server records the workflow all the same.
    const handle = await temporal.client.workflow.start('noSuchWorkflow', {
      taskQueue: uniqueId('unpolled'),
      workflowId: uniqueId('scoped-call'),
    });
    await handle.signal('anything');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    // Jest runs each test in an AsyncLocalStorage of its own; only a call context counts.
    const callContexts = entered.mock.calls.filter(
      ([store]) =>
        typeof store === 'object' && store !== null && ('metadata' in store || 'deadline' in store),
    );
    expect(callContexts).toEqual([]);
  });

  it('when a call is made within a deadline, then the deadline reaches the call', async () => {
    const { connection } = temporal;
    const failure: unknown = await connection
      .withDeadline(Date.now() - 1, () => connection.workflowService.getSystemInfo({}))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isGrpcDeadlineError(failure)).toBe(true);
    // Outside the deadline's scope the same call goes through.
    await expect(connection.workflowService.getSystemInfo({})).resolves.toBeDefined();
  });
});

describe('a call scope', () => {
  it('when runs nest, then each sees its own context and the outer one comes back after', () => {
    const scope = new CallScope<string>();
    const seen: (string | undefined)[] = [];
    scope.run('outer', () => {
      seen.push(scope.getStore());
      scope.run('inner', () => seen.push(scope.getStore()));
      seen.push(scope.getStore());
      scope.exit(() => seen.push(scope.getStore()));
    });
    seen.push(scope.getStore());
    expect(seen).toEqual(['outer', 'inner', 'outer', undefined, undefined]);
  });

  it('when the callback throws, then the context is still restored', () => {
    const scope = new CallScope<string>();
    expect(() =>
      scope.run('failing', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(scope.getStore()).toBeUndefined();
  });

  it('when work continues after an await, then the context is gone (it is held synchronously only)', async () => {
    const scope = new CallScope<string>();
    const later = scope.run('call', async () => {
      await Promise.resolve();
      return scope.getStore();
    });
    expect(await later).toBeUndefined();
  });

  it('when asked to enter a context for everything that follows, then it refuses', () => {
    expect(() => new CallScope<string>().enterWith('leak')).toThrow(/only within run/);
  });
});
