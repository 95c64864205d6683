import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { endedPhases, sessionWorkflowId } from '../../domain/session';
import type { Logger } from '../../runtime/logger';
import type { AgentStore } from '../../stores/agents';
import type { RoutingService } from '../../routing/service';
import type { SessionStore } from '../../stores/sessions';
import {
  closeUpdate,
  declineOfferUpdate,
  stateQuery,
  transferUpdate,
} from '../../workflows/contract';
import { AppError } from '../errors';
import { told } from '../http/session-calls';

export interface HandBackDeps {
  temporal: Client;
  sessions: Pick<SessionStore, 'heldBy'>;
  agents: Pick<AgentStore, 'listGroups'>;
  /** The seats Redis says the agent holds (decisions not yet told included). */
  seats: Pick<RoutingService, 'sessionsOf'>;
  log: Logger;
  /** How long to keep at sessions that cannot be moved yet (a decision in flight). */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface HandBack {
  /** Sessions sent back to a group's queue (or straight on to a free agent there). */
  requeued: string[];
  /** Sessions closed because no group is left to queue them in. */
  closed: string[];
  /** Seats still held when the wait ran out (call again to retry). */
  left: string[];
}

/**
 * Gives back every session an agent holds or is offered, once the agent has
 * lost access (deactivated or deleted) and is offline, so nothing new comes
 * its way: an assigned session is transferred to its group (the engine's own
 * transfer, by `ops`: the router moves the seat atomically, the shopper is
 * told, history is kept), an offer is declined (the next agent gets it, or
 * it goes back to its place in the queue). The workflow decides; this only
 * asks. A decision still on its way to a session (the seat taken in Redis,
 * the workflow not told yet) is waited for and handed back in a later
 * round. A session whose group is gone goes to the agent's first group; with
 * no group at all, it is closed (by `ops`) rather than left with nobody.
 */
export async function handBackSessions(
  deps: HandBackDeps,
  tenantId: string,
  agent: { agentId: string; groups: readonly string[] },
): Promise<HandBack> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (deps.waitMs ?? 15_000);
  const done: HandBack = { requeued: [], closed: [], left: [] };
  const groups = new Set((await deps.agents.listGroups(tenantId)).map((g) => g.groupId));
  const fallbackGroup = agent.groups.find((g) => groups.has(g));

  /** Sessions that ended meanwhile: nothing to hand back (their close frees the seat). */
  const ended = new Set<string>();
  for (;;) {
    const held = (await heldBy(deps, tenantId, agent.agentId)).filter((id) => !ended.has(id));
    if (held.length === 0 || Date.now() > deadline) {
      done.left = held;
      if (held.length) {
        deps.log.warn('sessions still held after hand-back', { tenantId, agentId: agent.agentId });
      }
      return done;
    }
    // Each session is its own workflow: they are asked side by side.
    const outcomes = await Promise.all(
      held.map(async (sessionId) => ({
        sessionId,
        outcome: await handBackOne(deps, tenantId, sessionId, agent.agentId, (groupId) =>
          groupId && groups.has(groupId) ? groupId : fallbackGroup,
        ),
      })),
    );
    for (const { sessionId, outcome } of outcomes) {
      if (outcome === 'ended') ended.add(sessionId);
      else if (outcome === 'requeued') done.requeued.push(sessionId);
      else if (outcome === 'closed') done.closed.push(sessionId);
    }
    await sleep(200);
  }
}

/**
 * Asks one session's workflow to let go of the agent. 'later' when it
 * cannot yet: a decision on its way to it, or a refusal for its phase (it
 * moved or closed meanwhile; seen again next round if still held).
 */
async function handBackOne(
  deps: HandBackDeps,
  tenantId: string,
  sessionId: string,
  agentId: string,
  queueOf: (groupId: string | undefined) => string | undefined,
): Promise<'requeued' | 'closed' | 'ended' | 'later'> {
  const handle = deps.temporal.workflow.getHandle(sessionWorkflowId(tenantId, sessionId));
  try {
    const state = await handle.query(stateQuery);
    if (endedPhases.includes(state.phase)) return 'ended';
    if (state.phase === 'assigned' && state.agentId === agentId) {
      const toGroupId = queueOf(state.groupId);
      if (!toGroupId) {
        await told((updateId) =>
          handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'ops' } }], updateId }),
        );
        return 'closed';
      }
      await told((updateId) =>
        handle.executeUpdate(transferUpdate, {
          args: [{ by: { type: 'ops' }, toGroupId }],
          updateId,
        }),
      );
      return 'requeued';
    }
    if (state.phase === 'reserved' && state.offeredAgentId === agentId) {
      await told((updateId) =>
        handle.executeUpdate(declineOfferUpdate, { args: [{ agentId }], updateId }),
      );
      return 'requeued';
    }
    return 'later';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'ended';
    if (error instanceof AppError) return error.code === 'session_closed' ? 'ended' : 'later';
    throw error;
  }
}

/** Sessions the agent holds or is offered, by Redis's seats and MongoDB's projection together. */
async function heldBy(deps: HandBackDeps, tenantId: string, agentId: string): Promise<string[]> {
  const [seats, docs] = await Promise.all([
    deps.seats.sessionsOf(tenantId, agentId).catch(() => []),
    deps.sessions.heldBy(tenantId, agentId),
  ]);
  return [...new Set([...seats, ...docs.map((d) => d._id)])];
}
