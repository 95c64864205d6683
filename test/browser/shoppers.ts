import { startedSession } from '../../api/openapi';
import type { Entry } from '../../domain/session';
import { sessionStore } from '../../stores/sessions';
import { call } from '../support/api-client';
import type { TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { signedVisitor } from '../support/identity';

/**
 * A shopper without a browser: opens chat through the public route, as the
 * widget does, and asks for a person with their visitor token. For tests
 * whose subject is the agent's or the supervisor's page.
 */
export async function apiShopper(engine: TestEngine, tenantId: string, entry: Entry) {
  const opened = await call(engine.app, 'POST', '/api/v1/sessions', {
    body: { tenantId, visitor: signedVisitor(tenantId, uniqueId('v')), channel: 'web', entry },
  });
  const session = startedSession.parse(opened.body);
  return {
    ...session,
    async askForPerson(): Promise<void> {
      const answer = await call(engine.app, 'POST', `/api/v1/sessions/${session.sessionId}/human`, {
        token: session.visitorToken,
      });
      if (answer.status !== 200) {
        throw new Error(
          `asking for a person answered ${answer.status}: ${JSON.stringify(answer.body)}`,
        );
      }
    },
  };
}

/**
 * An ended session in the past, as the worker projects one: a customer's
 * earlier chat. The engine cannot be made to live through days, so the
 * projection is written directly, through the store the worker uses.
 */
export async function seedSession(
  engine: TestEngine,
  tenantId: string,
  past: { visitorId: string; agentId: string; ago: number; entry: Entry; rating?: number },
): Promise<string> {
  const sessionId = uniqueId('session');
  const startedAt = new Date(Date.now() - past.ago);
  const closedAt = new Date(startedAt.getTime() + 10 * 60 * 1000);
  const sessions = sessionStore(engine.db);
  await sessions.recordOpened(
    {
      tenantId,
      sessionId,
      visitor: { id: past.visitorId, tags: [] },
      channel: 'web',
      entry: past.entry,
    },
    startedAt,
  );
  await sessions.project(tenantId, sessionId, {
    phase: past.rating ? 'rated' : 'closed',
    agentId: past.agentId,
    assignedAt: startedAt,
    closedAt,
    closeReason: 'agent',
    ...(past.rating ? { rating: { score: past.rating, at: closedAt } } : {}),
  });
  return sessionId;
}
