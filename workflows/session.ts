import {
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities';
import type { SessionInput } from '../domain/session';
import { searchAttributes, stateQuery, type SessionState } from './contract';

const activities = proxyActivities<SessionActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

/**
 * One customer session (DESIGN.md §4). This first slice greets the shopper
 * and closes the session when the robot phase stays idle; queueing, agents
 * and rating grow from here.
 */
export async function sessionWorkflow(input: SessionInput): Promise<SessionState> {
  const state: SessionState = {
    tenantId: input.tenantId,
    sessionId: input.sessionId,
    visitorId: input.visitor.id,
    channel: input.channel,
    entry: input.entry,
    phase: 'robot',
    startedAt: new Date().toISOString(),
    lastActivityAt: new Date().toISOString(),
  };
  setHandler(stateQuery, () => state);

  // Snapshot first: a flow edited later never changes this live session.
  const flow = await activities.loadFlowSnapshot(input.tenantId);
  await activities.recordSessionOpened(input, state.startedAt);
  await activities.postRobotMessage({
    tenantId: input.tenantId,
    sessionId: input.sessionId,
    purpose: 'greeting',
    text: flow.greeting,
  });
  state.lastActivityAt = new Date().toISOString();

  // Nothing can wake the robot phase yet (shopper messages arrive with the
  // messaging work), so this wait always times out: robot idle close.
  await condition(() => false, flow.robotIdleTimeoutMs);

  state.phase = 'closed';
  state.closeReason = 'robot_idle';
  state.closedAt = new Date().toISOString();
  upsertSearchAttributes([{ key: searchAttributes.phase, value: state.phase }]);
  await activities.recordSessionClosed(input, state.closedAt, state.closeReason);
  return state;
}
