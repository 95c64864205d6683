import { popularQuestions } from '../domain/faq';
import { ApplicationFailure } from '@temporalio/activity';
import { snapshotFlow, type FlowSnapshot } from '../domain/flow';
import type { SessionInput } from '../domain/session';
import { deliverPendingOutreach } from '../messaging/deliver-outreach';
import { autoTagsFor } from '../domain/tags';
import type { ActivityDeps } from './deps';
import { recordSessionEvent } from '../events/session-events';
import type { TransitionRef } from './transition';
import { postWorkflowMessage } from './workflow-message';

/** Reads the tenant's flow once; the session keeps this snapshot. */
async function loadFlowSnapshot(deps: ActivityDeps, tenantId: string): Promise<FlowSnapshot> {
  // Side by side: a tenant with a bot hook opens sessions no slower than one without.
  const [tenant, botHook] = await Promise.all([
    deps.tenants.get(tenantId),
    deps.botHooks.get(tenantId),
  ]);
  if (!tenant) {
    throw ApplicationFailure.create({
      type: 'TenantNotFound',
      message: `tenant ${tenantId} does not exist`,
      nonRetryable: true,
    });
  }
  return {
    ...snapshotFlow(tenant.flow),
    flowVersion: tenant.flowVersion,
    // Whether the robot asks the tenant's bot first, decided once, as the rest of the flow is.
    ...(botHook?.active ? { botHook: { timeoutMs: botHook.timeoutMs } } : {}),
  };
}

/**
 * `flowVersion` is the snapshot's, so the projection names the version the
 * session runs with. Auto tags are decided here, not in the start-session
 * request: the shopper's open never waits for (or fails on) reading the
 * tenant's rules, a failed read is retried by Temporal, and the tags land
 * in the same insert as the projection, so no session is ever seen untagged.
 * Pending proactive outreach is delivered here too, so the agent's message
 * opens the conversation ahead of the robot's greeting.
 */
async function recordSessionOpened(
  deps: ActivityDeps,
  input: SessionInput,
  startedAt: string,
  flowVersion?: number,
): Promise<void> {
  const tags = autoTagsFor(await deps.tags.autoTags(input.tenantId), input);
  const written = await deps.sessions.recordOpened(input, new Date(startedAt), flowVersion, tags);
  await recordSessionEvent(
    deps,
    { tenantId: input.tenantId, sessionId: input.sessionId, type: 'session.opened' },
    written,
  );
  await deliverPendingOutreach(deps, input);
  deps.broadcaster.statsChanged(input.tenantId, 'session');
}

/** A session opens: the flow it runs with, and its first projection. */
export const openingActivities = (deps: ActivityDeps) => ({
  /** Reads the tenant's flow once; the session keeps this snapshot. */
  async loadFlowSnapshot(tenantId: string): Promise<FlowSnapshot> {
    return loadFlowSnapshot(deps, tenantId);
  },

  /** The session's first projection (runs begun before one step per transition). */
  async recordSessionOpened(
    input: SessionInput,
    startedAt: string,
    flowVersion?: number,
  ): Promise<void> {
    await recordSessionOpened(deps, input, startedAt, flowVersion);
  },

  /**
   * The open as one step: the flow snapshot, the stored session (tags,
   * outreach) and the greeting, in that order. Each part is safe to repeat:
   * the session is inserted once, outreach is delivered once, the greeting
   * is stored once under its purpose. Returns the snapshot the session keeps.
   */
  async openSession(request: {
    transition: TransitionRef;
    input: SessionInput;
    startedAt: string;
    greetingPurpose: string;
  }): Promise<FlowSnapshot> {
    const { input } = request;
    const flow = await loadFlowSnapshot(deps, input.tenantId);
    await recordSessionOpened(deps, input, request.startedAt, flow.flowVersion);
    // "You may want to ask": the FAQ's popular questions ride on the greeting as chips
    // (only while the robot answers: without it nobody would answer a tapped question).
    const suggestions = flow.robot.enabled
      ? popularQuestions(await deps.faqs.list(input.tenantId))
      : [];
    // A session just opened is the robot's: no agent holds it.
    await postWorkflowMessage(
      deps,
      {
        tenantId: input.tenantId,
        sessionId: input.sessionId,
        purpose: request.greetingPurpose,
        text: flow.templates.greeting,
        suggestions,
      },
      { unheld: true },
    );
    return flow;
  },
});
