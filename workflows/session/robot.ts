import {
  TemporalFailure,
  condition,
  isCancellation,
  log,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { SessionActivities } from '../../activities';
import type { BotOutcome } from '../../domain/bot-hook';
import type { VisitorText } from '../../domain/session-commands';
import type { SessionState } from '../contract';
import { closeReasonOf, iso, refuse, waitUntil, type Session, type Transition } from './context';
import { hasPatch, patches } from './patches';

/**
 * The robot phase: the robot answers the shopper's texts until they ask for
 * a person, the robot hands over (by its rules or after too many misses), or
 * the shopper goes quiet for the robot idle window and the session closes.
 */

/** How many shopper text ids the robot remembers against retold texts. */
const heardKept = 32;
/**
 * The shopper texts the robot's idle check reads back. Fewer than
 * `heardKept`, so each one it heard is still remembered as heard.
 */
const unheardTextsRead = 5;

/** The visitorText signal: a shopper text for the robot to answer. */
export function hear(session: Session, message: VisitorText): void {
  if (session.state.phase !== 'robot') return;
  // A gateway retells a text when the shopper resends it, in case the node
  // that stored it died before telling; the robot hears each id once.
  // (No history holds a repeated id from before this check, so replay is unchanged.)
  if (session.heard.includes(message.messageId)) return;
  session.heard = [...session.heard.slice(1 - heardKept), message.messageId];
  session.inbox.push(message);
}

export function validateRequestHuman(session: Session): void {
  if (session.state.phase !== 'robot')
    refuse('wrongPhase', `the session is ${session.state.phase}`);
}

/** The requestHuman update: answered once the session has left the robot. */
export async function requestHuman(session: Session): Promise<SessionState> {
  session.humanRequested = true;
  await condition(() => session.state.phase !== 'robot');
  return session.state;
}

/** One robot turn: wait for a text, a request for a person, a close, or the idle deadline. */
export async function robotStep(session: Session): Promise<Transition | undefined> {
  const s = session.state;
  const f = session.flow;
  const ready = () => session.wake() || session.inbox.length > 0 || session.humanRequested;
  const idleDeadline = Date.parse(s.lastActivityAt) + f.timeouts.robotIdleMs;
  const shopperWentQuiet = !(await waitUntil(ready, idleDeadline));
  if (shopperWentQuiet && hasPatch(patches.robotIdleHearsStored)) {
    // Quiet, as far as signals tell. A text stored by a gateway that died before telling
    // would be left unanswered and the shopper closed on: read the latest ones back first.
    const stored = await session.activities.recentVisitorTexts(
      s.tenantId,
      s.sessionId,
      unheardTextsRead,
    );
    for (const text of stored) hear(session, text);
    if (session.inbox.length) return undefined;
  }
  // Closed at the deadline it missed, not after the read-back above (which takes real time).
  if (shopperWentQuiet) return { to: 'close', reason: 'robot_idle', at: iso(idleDeadline) };
  if (session.closeRequest) {
    return { to: 'close', reason: closeReasonOf(session, session.closeRequest.by) };
  }
  if (session.strays.length) return undefined;
  if (session.humanRequested) return { to: 'route' };
  const message = session.inbox.shift();
  if (!message) return undefined;
  s.lastActivityAt = iso();
  if (f.botHook && hasPatch(patches.botHook)) {
    const bot = await askBot(session, message, f.botHook.timeoutMs);
    if (bot === 'handover') return { to: 'route' };
    if (bot === 'answered') {
      s.robotMisses = 0;
      s.lastActivityAt = iso();
      return undefined;
    }
  }
  const outcome = await session.activities.robotReply({
    tenantId: session.input.tenantId,
    sessionId: session.input.sessionId,
    messageId: message.messageId,
    text: message.text,
    flow: { robot: f.robot, templates: f.templates },
  });
  if (outcome === 'handover') return { to: 'route' };
  s.robotMisses = outcome === 'missed' ? s.robotMisses + 1 : 0;
  if (s.robotMisses >= f.robot.missLimit) return { to: 'route' };
  s.lastActivityAt = iso();
  return undefined;
}

/**
 * The tenant's bot hook is asked first (patches.ts `botHook`), as one local
 * activity bounded by the hook's deadline, retries included: a recorded
 * marker, no round trip through the server. 'failed' when it timed out,
 * kept failing, or answered something that is not an answer: the FAQ robot
 * answers then, so the shopper is never left waiting on the bot.
 */
async function askBot(
  session: Session,
  message: VisitorText,
  timeoutMs: number,
): Promise<BotOutcome | 'failed'> {
  const { botReply } = proxyLocalActivities<Pick<SessionActivities, 'botReply'>>({
    scheduleToCloseTimeout: timeoutMs,
    startToCloseTimeout: timeoutMs,
    // The activity ends the retries itself at the deadline (activities/bot-hook.ts); the cap is a backstop.
    retry: {
      initialInterval: '100 milliseconds',
      maximumInterval: '1 second',
      maximumAttempts: 20,
    },
  });
  try {
    return await botReply({
      input: session.input,
      messageId: message.messageId,
      text: message.text,
    });
  } catch (error) {
    // A local activity's failure may come as the activity's own ApplicationFailure,
    // not wrapped in an ActivityFailure: every failure of the call is the bot's.
    if (!(error instanceof TemporalFailure) || isCancellation(error)) throw error;
    log.warn('the bot hook did not answer; the FAQ robot answers', {
      sessionId: session.state.sessionId,
      error: String(error.cause ?? error),
    });
    return 'failed';
  }
}
