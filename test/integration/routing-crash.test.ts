import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { routingDesk, type RoutingDesk } from '../support/routing-desk';

/**
 * The crash window of DESIGN.md §5: a process makes a routing decision in
 * Redis and dies before telling the waiting session. The decision was
 * recorded as pending, so the worker's redelivery round tells it — once.
 */

let engine: TestEngine;
let redis: RedisClient;
let desk: RoutingDesk;

beforeAll(async () => {
  engine = await startTestEngine();
  redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
  desk = routingDesk(engine.app, engine.db, redis, engine.temporal.client);
});
afterAll(async () => {
  await closeRedis(redis);
  await engine.close();
});

function killedMidDecision(tenantId: string, agentId: string): Promise<NodeJS.Signals | null> {
  const script = join(__dirname, '..', 'support', 'processes', 'die-before-telling.ts');
  const { MONGODB_URL, MONGODB_DATABASE, REDIS_URL } = engine.config;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      MONGODB_URL,
      MONGODB_DATABASE,
      REDIS_URL,
      tenantId,
      agentId,
      'online',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let said = '';
  child.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== null) reject(new Error(`exited ${code} without dying: ${said}`));
      else resolve(signal);
    });
  });
}

describe('a crash between the routing decision and telling the session', () => {
  it('when the deciding process is killed before telling, then the session is still assigned, exactly once', async () => {
    const tenantId = await engine.createTenant({ robot: { enabled: false }, locale: 'en' });
    await desk.routing.configureGroup(tenantId, 'default', {});
    await desk.routing.configureAgent(tenantId, {
      agentId: 'ann',
      capacity: 1,
      groups: ['default'],
    });
    const sessionId = await desk.open(tenantId);
    await desk.waitFor(tenantId, sessionId, (s) => s.phase === 'queued');

    expect(await killedMidDecision(tenantId, 'ann')).toBe('SIGKILL');
    // The decision stands in Redis and MongoDB says the agent is online …
    expect((await desk.router.pending(tenantId)).map((a) => a.sessionId)).toEqual([sessionId]);
    expect(await desk.router.sessionsOf(tenantId, 'ann')).toEqual([sessionId]);

    // … and the worker's redelivery round tells the session.
    const assigned = await desk.waitFor(tenantId, sessionId, (s) => s.phase === 'assigned');
    expect(assigned.agentId).toBe('ann');
    // Acknowledged once told, so no later round can tell it again.
    await eventually(async () => ((await desk.router.pending(tenantId)).length ? undefined : true));
    const joinedTexts = async () =>
      (await desk.systemTexts(tenantId, sessionId)).filter(
        (text) => text === 'ann is here to help you.',
      );
    await eventually(async () => ((await joinedTexts()).length ? true : undefined));
    expect(await joinedTexts()).toHaveLength(1);
    expect(await desk.router.sessionsOf(tenantId, 'ann')).toEqual([sessionId]);
  });
});
