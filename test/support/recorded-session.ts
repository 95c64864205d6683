import type { SessionStore } from '../../stores/sessions';
import { uniqueId } from './stack';

/**
 * A session projection as the workflow's first activity records it, with a
 * session and a shopper of its own: for tests of what reads projections.
 */
export async function recordedSession(
  sessions: SessionStore,
  tenantId: string,
  startedAt = new Date(),
): Promise<string> {
  const sessionId = uniqueId('session');
  await sessions.recordOpened(
    {
      tenantId,
      sessionId,
      visitor: { id: uniqueId('visitor'), tags: [] },
      channel: 'web',
      entry: { type: 'shop' },
    },
    startedAt,
  );
  return sessionId;
}
