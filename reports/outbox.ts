import { z } from 'zod';
import type { Outbox } from '../events/outbox';
import type { ReportRecorder } from './record';

/**
 * The outbox as the engine uses it: a session event's step records the
 * report fact right after the event (DESIGN.md §4: "record the domain event
 * and the report rollup" in the transition's one step). Both are idempotent
 * by the fact, and both run before the step reports success, so a step that
 * died between them is retried and records what it owed.
 *
 * The step hands on the session it read to build the event (`context`), so
 * recording costs only its own writes; a caller without it (a script, a
 * test) has the session read here, by key.
 * `enabled: false` leaves reports out (the lifecycle benchmark's baseline).
 */
export function reportingOutbox(
  outbox: Outbox,
  recorder: ReportRecorder,
  { enabled = true }: { enabled?: boolean } = {},
): Outbox {
  if (!enabled) return outbox;
  return {
    async record(event, context) {
      const id = await outbox.record(event, context);
      const { tenantId, sessionId, type } = event;
      if (type === 'agent.status_changed') {
        // Handed on by the agent store's step (events/recording-stores.ts).
        const agent = context?.agent;
        if (agent?.tenantId === tenantId) await recorder.statusChanged(agent);
        return id;
      }
      if (!sessionId) return id;
      if (type === 'session.agent_silent') {
        const silence = silenceOf(event.data);
        const given = context?.session;
        const doc =
          silence &&
          (given && given._id === sessionId && given.tenantId === tenantId
            ? given
            : await recorder.session(tenantId, sessionId));
        if (doc) await recorder.marked(doc, { silence });
        return id;
      }
      const marks =
        type === 'session.queued'
          ? { wait: true }
          : type === 'session.assigned'
            ? { assignment: true }
            : type === 'session.transferred'
              ? { wait: true, assignment: true }
              : undefined;
      if (!marks && type !== 'session.closed' && type !== 'session.rated') return id;
      const given = context?.session;
      const doc =
        given && given._id === sessionId && given.tenantId === tenantId
          ? given
          : await recorder.session(tenantId, sessionId);
      if (!doc) return id;
      if (marks && type === 'session.transferred') {
        // Straight to an agent, or back to a queue: whichever the projection now says. Not
        // the session's first queue stamp while it is with an agent: a session an agent
        // took at once never waited, and a transfer does not make it have.
        await recorder.marked(doc, { wait: doc.phase === 'queued', assignment: true });
      } else if (marks) await recorder.marked(doc, marks);
      else if (type === 'session.closed') await recorder.closed(doc);
      else await recorder.rated(doc);
      return id;
    },
  };
}

/** The silent agent and the deadline, as activities/silent-agent.ts records them in the event. */
function silenceOf(data: Record<string, unknown>): { agentId: string; at: Date } | undefined {
  const parsed = silenceSchema.safeParse(data.silence);
  return parsed.success
    ? { agentId: parsed.data.agentId, at: new Date(parsed.data.at) }
    : undefined;
}

const silenceSchema = z.object({ agentId: z.string().min(1), at: z.iso.datetime() });
