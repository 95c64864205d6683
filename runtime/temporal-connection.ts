import { AsyncLocalStorage } from 'node:async_hooks';
import { Connection, type ConnectionOptions } from '@temporalio/client';

type CallContext = NonNullable<ReturnType<Connection['callContextStorage']['getStore']>>;
type RpcOptions = Parameters<(typeof Connection)['generateRPCImplementation']>[0];
type CtorOptions = ReturnType<(typeof Connection)['createCtorOptions']>;

/**
 * The client's call context (gRPC metadata, deadline, abort signal), held for
 * the synchronous extent of `run` only.
 *
 * The SDK keeps it in an AsyncLocalStorage, and on Node 20 the first `run` of
 * any AsyncLocalStorage turns on promise hooks for the whole process, for
 * good: every promise the gateway makes (several per chat message) then pays
 * for propagation it never needs: without them, a chat message costs the
 * gateway about 12 % less CPU (BENCHMARKS.md). The SDK itself enters a context only around a call it
 * makes at once (the namespace header on every workflow-service call, the
 * deadline of the connect check), and the call reads it synchronously, so a
 * plain variable carries it just as well.
 *
 * The price: a context does not survive an `await`. `withDeadline`,
 * `withMetadata`, `withAbortSignal` and `withApiKey` on these connections must
 * make their call before their callback first awaits; lint bans them in the
 * engine's code, which has no use for them.
 */
export class CallScope<T> extends AsyncLocalStorage<T> {
  #current: T | undefined;

  override getStore(): T | undefined {
    return this.#current;
  }

  override run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R {
    return this.#holding(store, callback, args);
  }

  override exit<R, A extends unknown[]>(callback: (...args: A) => R, ...args: A): R {
    return this.#holding(undefined, callback, args);
  }

  override enterWith(_store: T): void {
    // Without propagation, "from here on" would leak into unrelated work.
    throw new Error('CallScope holds a context only within run()');
  }

  /** Calls `callback` with `store` current, and puts the outer context back however it ends. */
  #holding<R, A extends unknown[]>(store: T | undefined, callback: (...args: A) => R, args: A): R {
    const outer = this.#current;
    this.#current = store;
    try {
      return callback(...args);
    } finally {
      this.#current = outer;
    }
  }

  override disable(): void {
    this.#current = undefined;
  }
}

/** The scope standing in for each connection's own AsyncLocalStorage (which is never entered). */
const scopes = new WeakMap<object, CallScope<CallContext>>();
const scopeFor = (storage: object): CallScope<CallContext> => {
  let scope = scopes.get(storage);
  if (!scope) {
    scope = new CallScope<CallContext>();
    scopes.set(storage, scope);
  }
  return scope;
};

/**
 * Calls a connection has under way, so `close()` can let them finish: grpc-js
 * refuses new calls on a closed channel by throwing, and the SDK's retry
 * interceptor makes its next attempt from a timer, so a call that was backing
 * off when the connection closed threw from that timer (an uncaught exception
 * that ended a test run's suite after all its tests had passed).
 */
class CallsUnderWay {
  #count = 0;
  #idle: (() => void)[] = [];

  started(): void {
    this.#count++;
  }

  ended(): void {
    this.#count--;
    if (this.#count === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  /** Resolves when no call is under way, or after `limitMs` (a call stuck that long is given up). */
  settled(limitMs: number): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Per underlying gRPC client: the RPC functions are built in a static method, before the instance. */
const underWay = new WeakMap<object, CallsUnderWay>();
const callsOf = (client: object): CallsUnderWay => {
  let calls = underWay.get(client);
  if (!calls) {
    calls = new CallsUnderWay();
    underWay.set(client, calls);
  }
  return calls;
};

/** How long `close()` waits for calls under way (a retrying call backs off for up to a few seconds). */
const closeGraceMs = 5_000;

/** A Temporal client connection whose call context is a CallScope (see above). */
export class ScopedCallConnection extends Connection {
  // The base class builds its AsyncLocalStorage and hands it to the RPC functions it
  // generates, all in this one call: both sides get the same scope in its place.
  protected static override createCtorOptions(options: ConnectionOptions): CtorOptions {
    const built = super.createCtorOptions(options);
    return { ...built, callContextStorage: scopeFor(built.callContextStorage) };
  }

  protected static override generateRPCImplementation(options: RpcOptions) {
    const rpc = super.generateRPCImplementation({
      ...options,
      callContextStorage: scopeFor(options.callContextStorage),
    });
    const calls = callsOf(options.client);
    const counted: typeof rpc = (method, requestData, callback) => {
      calls.started();
      let ended = false;
      try {
        rpc(method, requestData, (error, response) => {
          if (!ended) calls.ended();
          ended = true;
          callback(error, response);
        });
      } catch (error) {
        if (!ended) calls.ended();
        ended = true;
        throw error;
      }
    };
    return counted;
  }

  /** Lets calls under way finish (for a moment at most), then closes the channel. */
  override async close(): Promise<void> {
    await callsOf(this.client).settled(closeGraceMs);
    await super.close();
  }
}
