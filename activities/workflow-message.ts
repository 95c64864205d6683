import { workflowMessageId, type MessageKind, type SenderType } from '../domain/message';
import { fillTemplate } from '../domain/templates';
import { postMessage } from '../messaging/post-message';
import { tellAgent, type ActivityDeps } from './deps';

export interface WorkflowMessage {
  tenantId: string;
  sessionId: string;
  /** Stable within the session (e.g. 'greeting', 'queued:3'), so a retried activity stores one message. */
  purpose: string;
  text: string;
  kind?: MessageKind;
  sender?: Extract<SenderType, 'robot' | 'system'>;
  suggestions?: string[];
  /**
   * The agent the text names: `{agent}` is filled, when the message is
   * posted, with the name the admin gave them (their id when they have none),
   * so the shopper never reads an internal id where a name exists.
   */
  agent?: string;
}

/** A message a transition posts in its session: the workflow message without the session's ids. */
export type Notice = Omit<WorkflowMessage, 'tenantId' | 'sessionId'>;

/**
 * Stores a robot or system message once per purpose and delivers it; a retry
 * finds the stored one by its id and posts nothing new. Returns its seq.
 */
export async function postWorkflowMessage(
  deps: ActivityDeps,
  message: WorkflowMessage,
  /**
   * The step knows no agent's list line needs rebuilding for it: nobody
   * holds the session (the greeting, notices before the enqueue, the close),
   * or the step pushes the line itself after its notices.
   */
  { unheld = false }: { unheld?: boolean } = {},
): Promise<number> {
  const text =
    message.agent === undefined
      ? message.text
      : fillTemplate(message.text, {
          agent: (await deps.staff.get(message.tenantId, message.agent))?.name ?? message.agent,
        });
  const { message: stored } = await postMessage(deps, {
    tenantId: message.tenantId,
    sessionId: message.sessionId,
    messageId: workflowMessageId(message.purpose),
    kind: message.kind ?? 'text',
    sender: { type: message.sender ?? 'robot' },
    text,
    ...(message.suggestions?.length ? { suggestions: message.suggestions } : {}),
  });
  if (!unheld) tellAgent(() => deps.lists.pushUpdated(message.tenantId, message.sessionId));
  return stored.seq;
}

/** What the session says itself (greeting, queue position, notices, the rating card), in every phase. */
export const workflowMessageActivities = (deps: ActivityDeps) => ({
  /** A robot or system message, stored once per purpose and delivered; returns its seq. */
  async postWorkflowMessage(message: WorkflowMessage): Promise<number> {
    return postWorkflowMessage(deps, message);
  },
});
