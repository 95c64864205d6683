import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../scripts/stack/ports';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { startOwnRedis } from '../support/own-redis';

describe('health endpoints', () => {
  let engine: TestEngine;
  let redis: ChildProcess;
  let port: number;

  beforeAll(async () => {
    // A Redis of this suite's own, so stopping it harms no other suite.
    port = await freePort();
    redis = (await startOwnRedis(port)).process;
    engine = await startTestEngine({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      READINESS_TIMEOUT_MS: 500,
    });
  });
  afterAll(async () => {
    await engine.close();
    redis.kill('SIGKILL');
  });

  it('when everything is reachable, then /healthz and /readyz answer 200', async () => {
    expect((await fetch(`${engine.app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${engine.app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', failing: [] });
  });

  it('when the API document is fetched, then it is OpenAPI 3.1 and lists every route', async () => {
    const response = await fetch(`${engine.app.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths['/api/v1/sessions'] ?? {})).toEqual(['post', 'get']);
    expect(Object.keys(document.paths['/healthz'] ?? {})).toEqual(['get']);
    expect(Object.keys(document.paths['/readyz'] ?? {})).toEqual(['get']);
    expect((await fetch(`${engine.app.url}/docs/`)).status).toBe(200);
  });

  it('when Redis stops, then /readyz is 503 and names redis only; /healthz stays 200', async () => {
    const exited = new Promise((resolve) => redis.once('exit', resolve));
    redis.kill('SIGTERM');
    await exited;
    const ready = await fetch(`${engine.app.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'unavailable',
      failing: ['redis'],
      checks: { temporal: { ok: true }, mongodb: { ok: true }, redis: { ok: false } },
    });
    expect((await fetch(`${engine.app.url}/healthz`)).status).toBe(200);
  });

  it('when Redis comes back, then /readyz is 200 again without a restart', async () => {
    redis = (await startOwnRedis(port)).process;
    const ready = await eventually(async () => {
      const response = await fetch(`${engine.app.url}/readyz`);
      return response.status === 200 ? response : undefined;
    });
    expect(await ready.json()).toMatchObject({ status: 'ready', failing: [] });
  });
});
