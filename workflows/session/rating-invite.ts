import type { RateRequest } from '../../domain/session-commands';
import type { SessionState } from '../contract';
import { iso, refuse, type Session } from './context';
import { hasPatch, patches } from './patches';

/**
 * The rating invitation mid-chat (邀评): the session's agent posts the rating
 * card while still chatting, and the shopper may rate right away.
 *
 * - Once per session: a second invitation answers with the state and posts
 *   nothing (the card has one id, `wf:rating-invite`, the one the close
 *   would post).
 * - Only the agent the session is assigned to, while it is assigned: a
 *   supervisor watching invites nothing.
 * - The close posts no second card after one mid-chat. A rating given
 *   mid-chat is kept and recorded when the chat closes (the session then
 *   goes straight to `rated`, with the rating's own time); an invitation not
 *   yet answered can still be answered after the close, within the window.
 */

export function validateInviteRating(session: Session, agentId: string): void {
  const s = session.state;
  if (s.phase !== 'assigned') refuse('wrongPhase', `the session is ${s.phase}, not assigned`);
  if (s.agentId !== agentId) refuse('forbidden', 'only the session’s agent may invite a rating');
  if (!session.flow.rating.enabled) refuse('wrongPhase', 'ratings are off in this flow');
}

/** The inviteRating update: posts the card once; answered with the state. */
export async function inviteRating(session: Session): Promise<SessionState> {
  const s = session.state;
  if (s.ratingInvitedAt || !hasPatch(patches.midChatRating)) return s;
  // Marked before the post, so an invitation arriving meanwhile posts nothing.
  s.ratingInvitedAt = iso();
  await session.post('rating-invite', session.flow.templates.ratingInvite, 'system', 'rating');
  return s;
}

/** Whether the shopper may rate now although the chat is still on: invited and assigned. */
export function ratesMidChat(session: Session): boolean {
  return session.state.phase === 'assigned' && session.state.ratingInvitedAt !== undefined;
}

/**
 * A rating given mid-chat: kept in the state (the shopper sees it at once)
 * and recorded when the chat closes, by the rating step.
 */
export function rateMidChat(session: Session, request: RateRequest): SessionState {
  const s = session.state;
  s.rating = { score: request.score, comment: request.comment, at: iso() };
  session.pendingRating = request;
  return s;
}
