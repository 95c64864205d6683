import {
  agentSend,
  agentToken,
  connectAgent,
  desk,
  ok,
  openAssigned,
  visitorSend,
} from '../support/chat';
import { connectVisitor, eventually, startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';

/**
 * Reports from a real session: the worker's steps (wiring/engine.ts) record
 * the report facts with the domain events, so a session served end to end
 * shows in the figures with nothing else run.
 */

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.close();
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${engine.app.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as unknown };
}

describe('reports from live sessions', () => {
  it('when a shopper is served, answered, closed and rates, then the day’s report counts it for the tenant, its group and its agent', async () => {
    const agentId = uniqueId('agent');
    const tenantId = await desk(engine, [agentId]);
    const session = await openAssigned(engine, tenantId);
    const visitor = await connectVisitor(engine.app, session.visitorToken);
    const agent = await connectAgent(engine.app.url, agentToken(tenantId, agentId));
    try {
      ok(
        await visitorSend(visitor, {
          kind: 'text',
          clientMsgId: 'q1',
          text: 'Where is my parcel?',
        }),
      );
      ok(
        await agentSend(agent, {
          sessionId: session.sessionId,
          kind: 'text',
          clientMsgId: 'r1',
          text: 'On its way',
        }),
      );
      const token = agentToken(tenantId, agentId);
      expect(
        (await call('POST', `/api/v1/sessions/${session.sessionId}/close`, token)).status,
      ).toBe(200);
      await eventually(async () => {
        const rated = await call(
          'POST',
          `/api/v1/sessions/${session.sessionId}/rating`,
          session.visitorToken,
          {
            score: 4,
          },
        );
        return rated.status === 200 ? true : undefined;
      });
    } finally {
      visitor.close();
      agent.close();
    }
    const supervisor = agentToken(tenantId, uniqueId('sup'), 'supervisor');
    const today = new Date().toISOString().slice(0, 10);
    const figures = await eventually(async () => {
      const answer = await call(
        'GET',
        `/api/v1/reports/agents?from=${today}&to=${today}`,
        supervisor,
      );
      const items = (
        answer.body as { items?: { agentId: string; figures: Record<string, unknown> }[] }
      ).items;
      const mine = items?.find((i) => i.agentId === agentId);
      return mine?.figures.ratings === 1 ? mine.figures : undefined;
    });
    expect(figures).toMatchObject({
      sessions: 1,
      consultations: 1,
      handled: 1,
      queued: 0, // a free agent took it at once: it never waited in a queue
      shopperMessages: 1,
      replyRate24h: 1,
      ratings: 1,
      satisfactionRate: 1,
      closeReasons: { agent: 1 },
    });
    expect(figures.firstResponseMeanS).toEqual(expect.any(Number));
    expect(figures.firstResponseMeanS as number).toBeGreaterThanOrEqual(0);
  });
});
