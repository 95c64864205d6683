import { buildFaqIndex, matchFaq, wantsHuman } from '../domain/faq';
import type { FlowSnapshot } from '../domain/flow';
import { workflowMessageId } from '../domain/message';
import { visitorTextOf, type VisitorText } from '../domain/session-commands';
import { postMessage } from '../messaging/post-message';
import type { ActivityDeps } from './deps';

/** How far back the robot's idle check reads the transcript for texts it never heard. */
const recentMessagesRead = 20;

/** The robot phase: FAQ answers, hand-over requests, and the texts a lost signal never brought. */
export const robotActivities = (deps: ActivityDeps) => ({
  /**
   * The robot's turn: a hand-over request, an FAQ answer, or a miss (with
   * "you may want to ask" suggestions). Answers are posted here, keyed by the
   * shopper's message id, so a retry never answers twice.
   */
  async robotReply(request: {
    tenantId: string;
    sessionId: string;
    messageId: string;
    text: string;
    flow: Pick<FlowSnapshot, 'robot' | 'templates'>;
  }): Promise<'handover' | 'answered' | 'missed'> {
    const { robot, templates } = request.flow;
    if (wantsHuman(request.text, robot.handoverKeywords)) return 'handover';
    const index = buildFaqIndex(await deps.faqs.list(request.tenantId));
    const match = matchFaq(index, request.text, { threshold: robot.answerThreshold });
    const suggestions = match.suggestions.map((s) => s.question);
    const reply = match.answer
      ? { text: match.answer.answer, suggestions }
      : {
          text: suggestions.length
            ? `${templates.noAnswer}\n${templates.suggestions}`
            : templates.noAnswer,
          suggestions,
        };
    await postMessage(deps, {
      tenantId: request.tenantId,
      sessionId: request.sessionId,
      messageId: workflowMessageId(`robot:${request.messageId}`),
      kind: 'text',
      sender: { type: 'robot' },
      text: reply.text,
      ...(reply.suggestions.length ? { suggestions: reply.suggestions } : {}),
    });
    return match.answer ? 'answered' : 'missed';
  },

  /**
   * The shopper's latest texts (at most `count`, oldest first), read from the
   * stored transcript: what the robot would have heard had every signal
   * arrived. A gateway that dies after acking a message never tells the
   * workflow, and the shopper, acked, never resends.
   */
  async recentVisitorTexts(
    tenantId: string,
    sessionId: string,
    count: number,
  ): Promise<VisitorText[]> {
    const { messages } = await deps.messages.listBefore(
      tenantId,
      sessionId,
      Number.MAX_SAFE_INTEGER,
      recentMessagesRead,
    );
    return messages
      .filter((m) => m.sender.type === 'visitor' && m.kind === 'text')
      .slice(-count)
      .flatMap((m) => visitorTextOf(m) ?? []);
  },
});
