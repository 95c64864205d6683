import { personMessageId, type Sender } from '../domain/message';
import type { SessionInput } from '../domain/session';
import type { OutreachStore } from '../stores/outreach';
import { postMessage, type PostMessageDeps } from './post-message';

export interface DeliverOutreachDeps extends PostMessageDeps {
  outreach: OutreachStore;
}

/**
 * Puts the customer's pending outreach into the session they just opened, as
 * the agents' messages, before the robot's greeting. The message id derives
 * from the outreach id, so a retried activity stores each message once, and
 * an outreach is marked delivered only after its message is stored.
 */
export async function deliverPendingOutreach(
  deps: DeliverOutreachDeps,
  input: Pick<SessionInput, 'tenantId' | 'sessionId' | 'visitor'>,
): Promise<number> {
  const pending = await deps.outreach.pendingFor(input.tenantId, input.visitor.id);
  for (const outreach of pending) {
    const sender: Sender = { type: 'agent', id: outreach.agentId };
    const clientMsgId = `outreach:${outreach._id}`;
    await postMessage(deps, {
      tenantId: input.tenantId,
      sessionId: input.sessionId,
      messageId: personMessageId(sender, clientMsgId),
      clientMsgId,
      kind: 'text',
      sender,
      text: outreach.text,
    });
    await deps.outreach.markDelivered(input.tenantId, outreach._id, input.sessionId);
  }
  return pending.length;
}
