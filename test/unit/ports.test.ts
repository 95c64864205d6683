import { createServer } from 'node:net';
import { assertPortsFree, freePort, isPortFree } from '../../scripts/stack/ports';

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
