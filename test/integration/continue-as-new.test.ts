import { sessionWorkflowId } from '../../domain/session';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { faqStore } from '../../stores/faqs';
import { requestHumanUpdate, stateQuery, visitorTextSignal } from '../../workflows/contract';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { startOwnTemporal } from '../support/own-temporal';
import { routingDesk } from '../support/routing-desk';
import { uniqueId } from '../support/stack';

/**
 * A long session outgrows its history: when Temporal suggests it, the
 * workflow continues as new between steps, carrying its state, so the
 * conversation goes on without a lost or repeated message. The server here
 * suggests it after 40 events instead of 4,096, so a few questions suffice.
 */

jest.setTimeout(180_000);

let temporal: { address: string; stop: () => Promise<void> };
let engine: TestEngine;
let redis: RedisClient;

beforeAll(async () => {
  temporal = await startOwnTemporal({ 'limit.historyCount.suggestContinueAsNew': 40 });
  engine = await startTestEngine({ TEMPORAL_ADDRESS: temporal.address });
  redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
});
afterAll(async () => {
  await closeRedis(redis);
  await engine?.close();
  await temporal?.stop();
});

describe('continue-as-new', () => {
  it('when a session outgrows its history, then it continues as new with its state and no message lost or repeated', async () => {
    const tenantId = await engine.createTenant({ locale: 'en' });
    await faqStore(engine.db).add(tenantId, {
      question: 'When will my order ship?',
      keywords: ['ship'],
      answer: 'Orders ship within 24 hours.',
    });
    const desk = routingDesk(engine.app, engine.db, redis, engine.temporal.client);
    await desk.routing.configureGroup(tenantId, 'default', {});
    const sessionId = await desk.open(tenantId);
    const handle = engine.temporal.client.workflow.getHandle(
      sessionWorkflowId(tenantId, sessionId),
    );
    const firstRunId = (await handle.describe()).runId;

    const questions = 30;
    for (let i = 0; i < questions; i++) {
      await handle.signal(visitorTextSignal, {
        messageId: uniqueId('m'),
        text: 'when will my order ship?',
        at: Date.now(),
      });
    }
    const messages = collections(engine.db).messages;
    const robotReplies = () =>
      messages.countDocuments({ tenantId, sessionId, text: 'Orders ship within 24 hours.' });
    await eventually(async () => ((await robotReplies()) === questions ? true : undefined), 60_000);

    const description = await handle.describe();
    expect(description.runId).not.toBe(firstRunId);
    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ phase: 'robot', robotMisses: 0, sessionId });

    // The carried session still does its job: hand-over queues it.
    const queued = await handle.executeUpdate(requestHumanUpdate);
    expect(queued.phase).toBe('queued');
    const seqs = (await messages.find({ tenantId, sessionId }).sort({ seq: 1 }).toArray()).map(
      (m) => m.seq,
    );
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(await robotReplies()).toBe(questions);
  });
});
