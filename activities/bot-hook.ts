import { ApplicationFailure, Context } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import {
  botAnswerSchema,
  botFailureTypes,
  botHookLimits,
  type BotAnswer,
  type BotOutcome,
  type BotRequest,
} from '../domain/bot-hook';
import { workflowMessageId, type NewMessage } from '../domain/message';
import type { SessionInput } from '../domain/session';
import { callBot } from '../events/bot-call';
import { postMessage } from '../messaging/post-message';
import type { ActivityDeps } from './deps';

/** A shopper text for the tenant's bot, with what the session knows of the shopper. */
export interface BotTurn {
  input: SessionInput;
  messageId: string;
  text: string;
}

/**
 * The bot hook's turn (domain/bot-hook.ts): the shopper's text goes to the
 * tenant's bot, and its answer is posted as the robot's. The answer is
 * stored under the id the FAQ robot would store its answer under
 * (`robot:<shopper message id>`), so a text is answered once whoever
 * answers it: a retry, or a bot answer that lands after the deadline when
 * the FAQ robot has answered, finds the stored one and posts nothing new.
 */
export const botHookActivities = (deps: ActivityDeps) => ({
  /**
   * Asks the bot. A slow, unreachable or failing (non-2xx) bot throws a
   * retryable failure: the workflow retries within the hook's deadline. A
   * 2xx answer that is not a bot answer, or a URL the address policy
   * refuses, throws a non-retryable one. `no-hook` when the hook was removed
   * or turned off after the session opened. On any failure the workflow
   * has the FAQ robot answer.
   */
  async botReply(turn: BotTurn): Promise<BotOutcome> {
    const { tenantId, sessionId } = turn.input;
    const hook = await deps.botHooks.get(tenantId);
    if (!hook?.active) return 'no-hook';
    const timeoutMs = remainingMs(hook.timeoutMs);
    if (timeoutMs <= 0) {
      // Local activities' retries are not cut off at their schedule-to-close
      // deadline by the worker: the turn's deadline is kept here.
      throw botFailure(botFailureTypes.deadline, "the bot's deadline passed", true);
    }
    const payload = JSON.stringify(await botRequest(deps, turn));
    const result = await callBot({
      url: hook.url,
      secret: hook.secret,
      payload,
      timeoutMs,
      allowPrivate: deps.allowPrivateAddresses,
      maxBytes: botHookLimits.answerBytes,
      ...signalOfActivity(),
    });
    if (!result.ok) {
      throw botFailure(
        result.refused ? botFailureTypes.refused : botFailureTypes.unavailable,
        result.error,
        result.refused === true,
      );
    }
    const answer = parseAnswer(result.body);
    const reply = messageOf(answer);
    if (reply) {
      await postMessage(deps, {
        tenantId,
        sessionId,
        messageId: workflowMessageId(`robot:${turn.messageId}`),
        sender: { type: 'robot' },
        ...reply,
      });
    }
    return answer.type === 'handover' ? 'handover' : 'answered';
  },
});

/** The body the bot gets: the text, the shopper and the session's latest messages. */
async function botRequest(deps: ActivityDeps, turn: BotTurn): Promise<BotRequest> {
  const { input } = turn;
  const { messages } = await deps.messages.listBefore(
    input.tenantId,
    input.sessionId,
    Number.MAX_SAFE_INTEGER,
    botHookLimits.recentMessages,
  );
  return {
    type: 'message.received',
    tenantId: input.tenantId,
    sessionId: input.sessionId,
    message: { id: turn.messageId, text: turn.text },
    visitor: {
      id: input.visitor.id,
      ...(input.visitor.name ? { name: input.visitor.name } : {}),
      tags: input.visitor.tags,
    },
    entry: input.entry,
    channel: input.channel,
    recentMessages: messages.map((m) => ({
      seq: m.seq,
      sender: m.sender.type,
      kind: m.kind,
      text: m.text,
      createdAt: m.createdAt,
    })),
    sentAt: new Date().toISOString(),
  };
}

/** The bot's answer, or a non-retryable failure naming what is wrong with it. */
function parseAnswer(body: string): BotAnswer {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw badAnswer('the answer is not JSON');
  }
  const parsed = botAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the answer';
    throw badAnswer(`${where}: ${issue?.message ?? 'is not a bot answer'}`);
  }
  return parsed.data;
}

const badAnswer = (message: string) => botFailure(botFailureTypes.badAnswer, message, true);

/**
 * A failed bot turn. Benign: a tenant's bot failing is no fault of the
 * engine (the worker logs such attempts at debug only); the workflow logs
 * the turn once, when the FAQ robot answers instead.
 */
const botFailure = (type: string, message: string, nonRetryable: boolean) =>
  ApplicationFailure.create({
    type,
    message,
    nonRetryable,
    category: ApplicationFailureCategory.BENIGN,
  });

/** The message a bot answer posts (a hand-over posts its line, if it has one). */
function messageOf(
  answer: BotAnswer,
): Pick<NewMessage, 'kind' | 'text' | 'card' | 'suggestions'> | undefined {
  const chips = (list: string[] | undefined) => (list?.length ? { suggestions: list } : {});
  switch (answer.type) {
    case 'text':
      return { kind: 'text', text: answer.text, ...chips(answer.suggestions) };
    case 'card':
      return {
        kind: 'card',
        card: answer.card,
        text: answer.text ?? '',
        ...chips(answer.suggestions),
      };
    case 'handover':
      return answer.text === undefined ? undefined : { kind: 'text', text: answer.text };
  }
}

/**
 * The time this attempt may take: what is left of the workflow's deadline
 * for the whole turn (its schedule-to-close, counted from the first
 * attempt), at most the hook's own limit; 0 or less when it has passed.
 * Outside an activity (a direct call), the hook's limit.
 */
function remainingMs(limitMs: number): number {
  try {
    const { scheduledTimestampMs, scheduleToCloseTimeoutMs } = Context.current().info;
    if (!scheduleToCloseTimeoutMs) return limitMs;
    const left = scheduledTimestampMs + scheduleToCloseTimeoutMs - Date.now();
    return Math.min(limitMs, Math.floor(left));
  } catch {
    return limitMs;
  }
}

/** The running activity's cancellation (a timed-out local activity is cancelled), if any. */
function signalOfActivity(): { signal?: AbortSignal } {
  try {
    return { signal: Context.current().cancellationSignal };
  } catch {
    return {};
  }
}
