import type { Outbox } from '../events/outbox';
import type { ReportRecorder } from './record';

/**
 * The outbox as the engine uses it: a session event's step records the
 * report fact right after the event (DESIGN.md §4: "record the domain event
 * and the report rollup" in the transition's one step). Both are idempotent
 * by the fact, and both run before the step reports success, so a step that
 * died between them is retried and records what it owed.
 * `enabled: false` leaves reports out (the lifecycle benchmark's baseline).
 */
export function reportingOutbox(
  outbox: Outbox,
  recorder: ReportRecorder,
  { enabled = true }: { enabled?: boolean } = {},
): Outbox {
  if (!enabled) return outbox;
  return {
    async record(event) {
      const id = await outbox.record(event);
      const { tenantId, sessionId } = event;
      if (!sessionId) return id;
      if (event.type === 'session.queued') await recorder.queued(tenantId, sessionId);
      else if (event.type === 'session.assigned') await recorder.assigned(tenantId, sessionId);
      else if (event.type === 'session.transferred') {
        // Straight to an agent, or back to a queue: whichever the projection now says.
        await recorder.assigned(tenantId, sessionId);
        await recorder.queued(tenantId, sessionId);
      } else if (event.type === 'session.closed') await recorder.closed(tenantId, sessionId);
      else if (event.type === 'session.rated') await recorder.rated(tenantId, sessionId);
      return id;
    },
  };
}
