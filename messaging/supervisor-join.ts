import { defaultTemplates, type Flow } from '../domain/flow';
import type { ChatMessage } from '../domain/message';
import type { MessageStore } from '../stores/messages';
import { postMessage, type PostMessageDeps } from './post-message';

/**
 * A supervisor joins a live chat: the shopper is told by a system notice,
 * and from then on the supervisor may write in it (send-message.ts), their
 * messages delivered as an agent's. The notice is the record of the join:
 * its id names the supervisor, so a second join posts nothing new and the
 * send check needs no other state (nothing to rebuild, nothing to expire).
 */

/** The stored id of the notice that a supervisor joined (one per supervisor and session). */
export const supervisorJoinedId = (supervisorId: string): string => `sup:${supervisorId}:joined`;

/** Whether the supervisor joined the session (their notice is stored). */
export async function hasJoined(
  messages: Pick<MessageStore, 'find'>,
  tenantId: string,
  sessionId: string,
  supervisorId: string,
): Promise<boolean> {
  return (await messages.find(tenantId, sessionId, supervisorJoinedId(supervisorId))) !== undefined;
}

/**
 * Posts the join notice in the flow's language, once per supervisor: a
 * second join answers the stored notice and tells the shopper nothing again.
 */
export async function joinAsSupervisor(
  deps: PostMessageDeps,
  join: { tenantId: string; sessionId: string; supervisorId: string; flow: Flow | undefined },
): Promise<ChatMessage> {
  const told = await deps.messages.find(
    join.tenantId,
    join.sessionId,
    supervisorJoinedId(join.supervisorId),
  );
  if (told) return told;
  const locale = join.flow?.locale ?? 'zh-CN';
  const text =
    join.flow?.templates[locale].supervisorJoined ?? defaultTemplates[locale].supervisorJoined;
  const { message } = await postMessage(deps, {
    tenantId: join.tenantId,
    sessionId: join.sessionId,
    messageId: supervisorJoinedId(join.supervisorId),
    kind: 'system',
    sender: { type: 'system' },
    text,
  });
  return message;
}
