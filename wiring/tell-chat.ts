import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { sessionWorkflowId } from '../domain/session';
import type { ChatSignals } from '../messaging/chat-signals';
import { chatTurnSignal, visitorTextSignal } from '../workflows/contract';

/** Signals by Temporal client; a session whose workflow has ended has nothing to be told. */
export function chatSignalsByClient(client: Client): ChatSignals {
  const signal = async (
    tenantId: string,
    sessionId: string,
    send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>,
  ) => {
    try {
      await send(client.workflow.getHandle(sessionWorkflowId(tenantId, sessionId)));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  };
  return {
    visitorText: (tenantId, sessionId, text) =>
      signal(tenantId, sessionId, (h) => h.signal(visitorTextSignal, text)),
    chatTurn: (tenantId, sessionId, turn) =>
      signal(tenantId, sessionId, (h) => h.signal(chatTurnSignal, turn)),
  };
}
