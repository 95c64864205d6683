import type { SessionStore } from '../stores/sessions';
import { coalescer } from './coalesce';

/**
 * Last shopper and agent activity per session, for the workflow's deadline
 * timers (DESIGN.md §3). Only the latest time matters and the store only
 * moves it forward, so writes of one session and side that pile up while
 * one is in flight become a single write of the newest time.
 */
export function lastActivity(sessions: Pick<SessionStore, 'touch'>) {
  const coalesce = coalescer();
  const newest = new Map<string, Date>();
  return {
    record(tenantId: string, sessionId: string, by: 'visitor' | 'agent', at: Date): Promise<void> {
      const key = `${tenantId}\u0000${sessionId}\u0000${by}`;
      const known = newest.get(key);
      if (!known || known < at) newest.set(key, at);
      return coalesce(key, async () => {
        const latest = newest.get(key);
        newest.delete(key);
        if (latest) await sessions.touch(tenantId, sessionId, by, latest);
      });
    },
  };
}

export type LastActivity = ReturnType<typeof lastActivity>;
