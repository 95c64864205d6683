import { z } from 'zod';
import { sessionEventView } from '../../events/views';
import { identityKinds } from '../../domain/identity';
import { channels, entryTypes, sessionPhases } from '../../domain/session';
import { closeReasons } from '../../domain/session-commands';
import { leaveMessageFieldSchema } from '../../domain/flow';
import type { SessionDoc } from '../../stores/collections';
import type { SessionState } from '../../workflows/contract';
import { isoTime } from '../http/schemas';
import { defined } from './fields';

/**
 * A session three ways: as stored (the projection the search reads), live
 * (the workflow's state, for the widget and the console), and as opening chat
 * answers it; and a rating, as the ratings list shows one.
 */

const rating = z.object({ score: z.number(), comment: z.string().optional(), at: isoTime });
const ratingOf = (doc: SessionDoc) =>
  doc.rating && defined({ ...doc.rating, at: doc.rating.at.toISOString() });

export const sessionView = z.object({
  sessionId: z.string(),
  visitorId: z.string(),
  channel: z.enum(channels),
  entry: z.object({ type: z.enum(entryTypes), ref: z.string().optional() }),
  phase: z.enum(sessionPhases),
  flowVersion: z.number().optional(),
  startedAt: isoTime,
  groupId: z.string().optional(),
  agentId: z.string().optional(),
  assignedAt: isoTime.optional(),
  firstResponseAt: isoTime.optional(),
  closedAt: isoTime.optional(),
  closeReason: z.enum(closeReasons).optional(),
  rating: rating.optional(),
  tags: z.array(z.string()).optional(),
});

/**
 * `hidden`: tag ids the reader may not see (supervisor-only tags, for agents).
 * The fields are the event body's (events/views.ts), so a webhook and the REST
 * answer for the same session are one shape, built in one place.
 */
export const toSessionView = (s: SessionDoc, hidden: Set<string>) =>
  defined({ ...sessionEventView(s), tags: visibleTags(s.tags, hidden) });

function visibleTags(tags: string[] | undefined, hidden: Set<string>) {
  const visible = (tags ?? []).filter((id) => !hidden.has(id));
  return visible.length ? visible : undefined;
}

export const ratingView = z.object({
  sessionId: z.string(),
  agentId: z.string().optional(),
  groupId: z.string().optional(),
  score: z.number(),
  comment: z.string().optional(),
  at: isoTime,
});

/** The session's rating, or nothing for a session not rated. */
export const toRatingViews = (s: SessionDoc): z.infer<typeof ratingView>[] =>
  s.rating
    ? [
        defined({
          sessionId: s._id,
          agentId: s.agentId,
          groupId: s.groupId,
          score: s.rating.score,
          comment: s.rating.comment,
          at: s.rating.at.toISOString(),
        }),
      ]
    : [];

/** What a widget or console needs to draw a session's state; no contact details. */
export const sessionStateView = z.object({
  sessionId: z.string(),
  visitorId: z.string(),
  entry: z.object({ type: z.enum(entryTypes), ref: z.string().optional() }),
  phase: z.enum(sessionPhases),
  groupId: z.string().optional(),
  agentId: z.string().optional(),
  offeredAgentId: z.string().optional(),
  /** When an offered (reserved) session goes to the next agent unless accepted. */
  offerExpiresAt: isoTime.optional(),
  queuePosition: z.number().optional(),
  estimatedWaitMs: z.number().optional(),
  idleWarnedAt: isoTime.optional(),
  ticketId: z.string().optional(),
  closeReason: z.enum(closeReasons).optional(),
  rating: rating.optional(),
  /** While `leave_message`: the fields to ask for (the flow's leave-message form), in order. */
  leaveMessageForm: z.array(leaveMessageFieldSchema).optional(),
});
export type SessionStateView = z.infer<typeof sessionStateView>;

/** The workflow's state (its query, or an update's answer), as the widget and console read it. */
export const toSessionStateView = (state: SessionState): SessionStateView =>
  defined({
    sessionId: state.sessionId,
    visitorId: state.visitorId,
    entry: state.entry,
    phase: state.phase,
    groupId: state.groupId,
    agentId: state.agentId,
    offeredAgentId: state.offeredAgentId,
    offerExpiresAt: state.phase === 'reserved' ? state.offerExpiresAt : undefined,
    queuePosition: state.phase === 'queued' ? state.queuePosition : undefined,
    estimatedWaitMs: state.phase === 'queued' ? state.estimatedWaitMs : undefined,
    idleWarnedAt: state.idleWarnedAt,
    ticketId: state.ticketId,
    closeReason: state.closeReason,
    rating: state.rating,
    leaveMessageForm: state.phase === 'leave_message' ? state.leaveMessageForm : undefined,
  });

/** A finished workflow no longer answers queries once it is gone: the projection does. */
export const sessionStateFromProjection = (doc: SessionDoc): SessionStateView =>
  defined({
    sessionId: doc._id,
    visitorId: doc.visitorId,
    entry: doc.entry,
    phase: doc.phase,
    groupId: doc.groupId,
    agentId: doc.agentId,
    closeReason: doc.closeReason,
    rating: ratingOf(doc),
  });

/** Opening chat's answer (the widget keeps the token and, if anonymous, the credential). */
export const startedSession = z.object({
  sessionId: z.string(),
  workflowId: z.string(),
  attached: z.boolean(),
  visitorId: z.string().meta({
    description: 'The verified id, or the id the engine made for an anonymous shopper (`anon-…`)',
  }),
  identity: z.enum(identityKinds),
  visitorToken: z
    .string()
    .meta({ description: 'Session-scoped: the socket handshake and the messages route take it' }),
  visitorTokenExpiresAt: z.string(),
  visitorCredential: z.string().optional().meta({
    description:
      'Anonymous shoppers only: keep it (the widget uses localStorage) and send it as visitor.credential to come back to the same chat',
  }),
  visitorCredentialExpiresAt: z.string().optional(),
});
