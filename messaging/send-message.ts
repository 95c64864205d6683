import { personMessageId, type Attachment, type ChatMessage, type Sender } from '../domain/message';
import type { SendBody } from '../domain/message-send';
import { writeRefusal, type SessionFacts, type Viewer } from '../domain/session-access';
import { visitorTextOf } from '../domain/session-commands';
import { messageAttachment } from './attachment-links';
import type { ChatDeps } from './chat-deps';
import { postMessage } from './post-message';
import { Refusal } from './refusal';
import { sessionFacts } from './session-access';
import { hasJoined } from './supervisor-join';

/** The shopper, as their token names them. */
export interface VisitorIdentity {
  type: 'visitor';
  sessionId: string;
  visitorId: string;
}

export type Speaker = VisitorIdentity | Extract<Viewer, { type: 'agent' }>;

export interface Sent {
  message: ChatMessage;
  /** False for a resend of a message already stored (the stored original is `message`). */
  created: boolean;
  /**
   * The workflow's signal and the agent's list: after the ack, so the
   * sender is not kept waiting; run again for a resend. Never rejects.
   */
  followUp: Promise<void>;
}

const viewerOf = (speaker: Speaker): Viewer =>
  speaker.type === 'visitor' ? { type: 'visitor', sessionId: speaker.sessionId } : speaker;

/**
 * A person's message on the fast path (DESIGN.md §3): checked, numbered and
 * stored in MongoDB, then emitted to the session's rooms. A resend of the
 * same client id answers with the stored original and changes nothing.
 */
export async function sendMessage(
  deps: ChatDeps,
  tenantId: string,
  speaker: Speaker,
  sessionId: string,
  body: SendBody,
): Promise<Sent> {
  // Both checks at once: one round trip of waiting instead of two. A refused send still
  // counts towards the shopper's rate, which only matters to a client that floods anyway.
  const [facts, allowed, joined] = await Promise.all([
    sessionFacts(deps.sessions, tenantId, viewerOf(speaker), sessionId),
    speaker.type === 'visitor' ? deps.sendRate.allow(tenantId, speaker.visitorId) : true,
    speaker.type === 'agent' && speaker.role === 'supervisor'
      ? hasJoined(deps.messages, tenantId, sessionId, speaker.agentId)
      : false,
  ]);
  const refusal = writeRefusal(viewerOf(speaker), facts, joined);
  if (refusal === 'session_closed') {
    throw new Refusal('session_closed', `session ${sessionId} is ${facts.phase}`);
  }
  if (refusal) throw new Refusal('forbidden', `session ${sessionId} is not assigned to you`);

  const sender: Sender =
    speaker.type === 'visitor'
      ? { type: 'visitor', id: speaker.visitorId }
      : { type: 'agent', id: speaker.agentId };
  const messageId = personMessageId(sender, body.clientMsgId);

  if (!allowed) {
    // A retry of a message stored before the limit hit still gets its seq.
    const stored = await deps.messages.find(tenantId, sessionId, messageId);
    if (stored) return { message: stored, created: false, followUp: Promise.resolve() };
    const { limit, windowMs } = deps.sendRate.rate;
    throw new Refusal(
      'rate_limited',
      `send rate limit: at most ${limit} messages per ${windowMs / 1000} s per shopper`,
    );
  }

  const attachment = await attachmentOf(deps, tenantId, sessionId, body);
  const { message, created } = await postMessage(deps, {
    tenantId,
    sessionId,
    messageId,
    clientMsgId: body.clientMsgId,
    kind: body.kind,
    sender,
    text: body.text,
    ...(attachment ? { attachment } : {}),
    ...('card' in body ? { card: body.card } : {}),
  });
  // A resend runs the follow-up too: the node that stored the original may
  // have died before telling the workflow, and each step is safe to repeat.
  const followUp = afterSend(deps, facts, message, { resend: !created }).catch((error: unknown) =>
    deps.log.warn('message follow-up failed', { sessionId, error: String(error) }),
  );
  return { message, created, followUp };
}

/**
 * The message's attachment: a link as the sender gave it, or an upload of
 * this very session (of this tenant) and of the message's kind, with links
 * signed now for the participants.
 */
async function attachmentOf(
  deps: Pick<ChatDeps, 'attachments' | 'links'>,
  tenantId: string,
  sessionId: string,
  body: SendBody,
): Promise<Attachment | undefined> {
  if (!('attachmentId' in body) || body.attachmentId === undefined) {
    return 'attachment' in body ? body.attachment : undefined;
  }
  const doc = await deps.attachments.find(tenantId, sessionId, body.attachmentId);
  if (!doc) {
    throw new Refusal(
      'invalid_payload',
      `attachmentId: no attachment ${body.attachmentId} was uploaded to session ${sessionId}`,
    );
  }
  if (doc.kind !== body.kind) {
    throw new Refusal(
      'invalid_payload',
      `attachmentId: attachment ${body.attachmentId} is a ${doc.kind}, not a ${body.kind}`,
    );
  }
  return messageAttachment(deps.links, doc);
}

/**
 * Tells the workflow what it must know and updates the agent's list. (Last
 * activity, which the workflow's deadline timers read, is in the message;
 * turns.ts says which turns a run is told.) Repeats are harmless: the
 * workflow hears a shopper's text once by its id, and a turn change is told
 * again only until it has been told. A resend re-tells only what
 * `stillToTell` says is still to tell.
 */
async function afterSend(
  deps: ChatDeps,
  facts: SessionFacts,
  message: ChatMessage,
  { resend }: { resend: boolean },
) {
  const { tenantId, sessionId, sender } = message;
  const by = sender.type === 'agent' ? 'agent' : 'visitor';
  const agentId = by === 'agent' ? (sender.id ?? '') : '';
  const turn = await deps.turns.record(tenantId, sessionId, by, message.seq, agentId);
  const robotText = facts.phase === 'robot' && by === 'visitor' && message.kind === 'text';
  const turnToTell = facts.phase === 'assigned' && turn === 'changed';
  // A resend is checked against the stored messages only when it has something to tell.
  const tell =
    (robotText || turnToTell) &&
    (!resend || (await stillToTell(deps.messages, message, robotText)));
  if (!tell) {
    // Nothing to tell the workflow; the agent's list line may still be stale.
  } else if (robotText) {
    // The robot answers every shopper text, so it must see each one.
    const told = visitorTextOf(message);
    if (told) await deps.signals.visitorText(tenantId, sessionId, told);
  } else {
    await deps.signals.chatTurn(
      tenantId,
      sessionId,
      by === 'agent' && sender.id ? { by, agentId: sender.id } : { by },
    );
    await deps.turns.told(tenantId, sessionId, message.seq);
  }
  await deps.lists.pushUpdated(tenantId, sessionId);
}

/**
 * Whether a resent message is still to be told. A shopper text in the robot
 * phase is, until the shopper has written again: the robot hears each id
 * once, and a robot line stored after it (the greeting the workflow posts
 * while a dying node stores the shopper's first text, or the answer) is no
 * sign that the robot heard it. Anything else only while nothing has
 * followed it: anything later was told in its own right, and an old message
 * must not become the last word again.
 */
async function stillToTell(
  messages: ChatDeps['messages'],
  message: ChatMessage,
  robotText: boolean,
): Promise<boolean> {
  const { tenantId, sessionId, seq } = message;
  if (robotText) {
    return (await messages.glance(tenantId, sessionId, seq)).unreadFromVisitor === 0;
  }
  return (await messages.last(tenantId, sessionId))?.seq === seq;
}
