import type { Viewer } from '../domain/session-access';
import type { MessagePage, ReadReceipt } from '../domain/socket-events';
import type { ChatDeps } from './chat-deps';
import { Refusal } from './refusal';
import { followableSession, readableSession } from './session-access';

/** What the viewer missed after `afterSeq`, paged: the resync after a gap or a reconnect. */
export async function readMessages(
  deps: Pick<ChatDeps, 'sessions' | 'messages'>,
  tenantId: string,
  viewer: Viewer,
  sessionId: string,
  afterSeq: number,
  limit: number,
): Promise<MessagePage> {
  await readableSession(deps.sessions, tenantId, viewer, sessionId);
  return deps.messages.listAfter(tenantId, sessionId, afterSeq, limit);
}

/** The `limit` messages before `beforeSeq`, in order: history paged backwards. */
export async function readEarlierMessages(
  deps: Pick<ChatDeps, 'sessions' | 'messages'>,
  tenantId: string,
  viewer: Viewer,
  sessionId: string,
  beforeSeq: number,
  limit: number,
): Promise<MessagePage> {
  await readableSession(deps.sessions, tenantId, viewer, sessionId);
  return deps.messages.listBefore(tenantId, sessionId, beforeSeq, limit);
}

/**
 * The viewer has seen everything up to `seq`: the mark moves forward (never
 * past the last message), and the other side sees a read receipt.
 * Supervisors watch without leaving marks.
 */
export async function markRead(
  deps: ChatDeps,
  tenantId: string,
  viewer: Viewer,
  sessionId: string,
  seq: number,
): Promise<ReadReceipt> {
  await followableSession(deps.sessions, tenantId, viewer, sessionId);
  if (viewer.type === 'agent' && viewer.role === 'supervisor') {
    throw new Refusal('forbidden', 'supervisors watch sessions read-only');
  }
  const last = (await deps.messages.last(tenantId, sessionId))?.seq ?? 0;
  const reader: ReadReceipt['reader'] =
    viewer.type === 'visitor' ? { type: 'visitor' } : { type: 'agent', id: viewer.agentId };
  const marked = await deps.reads.mark(tenantId, sessionId, reader, Math.min(seq, last));
  const receipt: ReadReceipt = { sessionId, reader, seq: marked };
  deps.broadcaster.readReceipt(tenantId, receipt);
  await deps.lists.pushUpdated(tenantId, sessionId);
  return receipt;
}
