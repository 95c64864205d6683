import { createServer } from 'node:net';
import { assertPortsFree, freePort, isPortFree, onFreshPorts } from '../../scripts/stack/ports';

describe('port checks of the embedded stack', () => {
  it('when a port is taken, then the error names the port, its user and its env key', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      }),
    );
    try {
      const other = await freePort();
      await expect(
        assertPortsFree([
          { port, label: 'Redis, REDIS_PORT' },
          { port: other, label: 'FerretDB, MONGODB_PORT' },
        ]),
      ).rejects.toThrow(new RegExp(`port ${port} \\(Redis, REDIS_PORT\\) is already in use`));
      expect(await isPortFree(other)).toBe(true);
    } finally {
      server.close();
    }
  });
});

/**
 * Ports the stack picks for itself (Temporal's metrics and HTTP ports,
 * FerretDB's debug port) can be taken between the pick and the server's bind:
 * the start is tried again on new ports, and only then.
 */
describe('starting a server on ports of our own choosing', () => {
  const lostBind = (port: number) =>
    new Error(`temporal exited: listen tcp 127.0.0.1:${port}: bind: address already in use`);

  it('when another process takes a picked port before the server binds it, then the start is tried again on other ports', async () => {
    const seen: number[][] = [];
    const result = await onFreshPorts(['http', 'metrics'], (ports) => {
      seen.push([ports.http, ports.metrics]);
      if (seen.length === 1) return Promise.reject(lostBind(ports.metrics));
      return Promise.resolve('started');
    });
    expect(result).toBe('started');
    expect(seen).toHaveLength(2);
    for (const port of seen.flat()) expect(port).toBeGreaterThan(0);
  });

  it('when the start fails for any other reason, or on a port it was given, then it is not retried', async () => {
    let calls = 0;
    await expect(
      onFreshPorts(['debug'], () => {
        calls += 1;
        return Promise.reject(new Error('bad flag --foo'));
      }),
    ).rejects.toThrow('bad flag');
    // A configured port (not one of ours) in use is the caller's problem, named as such.
    await expect(
      onFreshPorts(['debug'], () => {
        calls += 1;
        return Promise.reject(lostBind(1));
      }),
    ).rejects.toThrow('address already in use');
    expect(calls).toBe(2);
  });

  it('when every attempt loses its port, then the last failure is thrown after three tries', async () => {
    let calls = 0;
    await expect(
      onFreshPorts(['metrics'], (ports) => {
        calls += 1;
        return Promise.reject(lostBind(ports.metrics));
      }),
    ).rejects.toThrow('address already in use');
    expect(calls).toBe(3);
  });
});
