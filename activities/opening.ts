import { ApplicationFailure } from '@temporalio/activity';
import { snapshotFlow, type FlowSnapshot } from '../domain/flow';
import type { SessionInput } from '../domain/session';
import { deliverPendingOutreach } from '../messaging/deliver-outreach';
import { autoTagsFor } from '../domain/tags';
import type { ActivityDeps } from './deps';

/** A session opens: the flow it runs with, and its first projection. */
export const openingActivities = (deps: ActivityDeps) => ({
  /** Reads the tenant's flow once; the session keeps this snapshot. */
  async loadFlowSnapshot(tenantId: string): Promise<FlowSnapshot> {
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) {
      throw ApplicationFailure.create({
        type: 'TenantNotFound',
        message: `tenant ${tenantId} does not exist`,
        nonRetryable: true,
      });
    }
    return { ...snapshotFlow(tenant.flow), flowVersion: tenant.flowVersion };
  },

  /**
   * `flowVersion` is the snapshot's, so the projection names the version the
   * session runs with. Auto tags are decided here, not in the start-session
   * request: the shopper's open never waits for (or fails on) reading the
   * tenant's rules, a failed read is retried by Temporal, and the tags land
   * in the same insert as the projection, so no session is ever seen untagged.
   * Pending proactive outreach is delivered here too, so the agent's message
   * opens the conversation ahead of the robot's greeting, with no new
   * workflow step (running histories replay unchanged).
   */
  async recordSessionOpened(
    input: SessionInput,
    startedAt: string,
    flowVersion?: number,
  ): Promise<void> {
    const tags = autoTagsFor(await deps.tags.autoTags(input.tenantId), input);
    await deps.sessions.recordOpened(input, new Date(startedAt), flowVersion, tags);
    await deliverPendingOutreach(deps, input);
    deps.broadcaster.statsChanged(input.tenantId, 'session');
  },
});
