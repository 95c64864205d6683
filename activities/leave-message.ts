import type { SessionInput } from '../domain/session';
import type { LeaveMessageRequest } from '../domain/session-commands';
import type { ActivityDeps } from './deps';

/** Outside working hours (or with no one to take it), the shopper leaves a message: a ticket. */
export const leaveMessageActivities = (deps: ActivityDeps) => ({
  async openTicket(
    input: SessionInput,
    groupId: string | undefined,
    request: LeaveMessageRequest,
  ): Promise<string> {
    return deps.tickets.open(input.tenantId, input.sessionId, input.visitor.id, groupId, request);
  },
});
