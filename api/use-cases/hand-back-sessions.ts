import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { endedPhases, sessionWorkflowId } from '../../domain/session';
import type { Logger } from '../../runtime/logger';
import type { AgentStore } from '../../stores/agents';
import type { Router } from '../../stores/routing/router';
import type { SessionStore } from '../../stores/sessions';
import {
  closeUpdate,
  declineOfferUpdate,
  stateQuery,
  transferUpdate,
} from '../../workflows/contract';
import { AppError } from '../errors';
import { told } from '../routes/session-calls';

export interface HandBackDeps {
  temporal: Client;
  sessions: Pick<SessionStore, 'heldBy'>;
  agents: Pick<AgentStore, 'listGroups'>;
  /** The seats Redis says the agent holds (decisions not yet told included). */
  seats: Pick<Router, 'sessionsOf'>;
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
    for (const sessionId of held) {
      const handle = deps.temporal.workflow.getHandle(sessionWorkflowId(tenantId, sessionId));
      try {
        const state = await handle.query(stateQuery);
        if (endedPhases.includes(state.phase)) ended.add(sessionId);
        else if (state.phase === 'assigned' && state.agentId === agent.agentId) {
          const toGroupId =
            state.groupId && groups.has(state.groupId) ? state.groupId : fallbackGroup;
          if (toGroupId) {
            await told((updateId) =>
              handle.executeUpdate(transferUpdate, {
                args: [{ by: { type: 'ops' }, toGroupId }],
                updateId,
              }),
            );
            done.requeued.push(sessionId);
          } else {
            await told((updateId) =>
              handle.executeUpdate(closeUpdate, { args: [{ by: { type: 'ops' } }], updateId }),
            );
            done.closed.push(sessionId);
          }
        } else if (state.phase === 'reserved' && state.offeredAgentId === agent.agentId) {
          await told((updateId) =>
            handle.executeUpdate(declineOfferUpdate, {
              args: [{ agentId: agent.agentId }],
              updateId,
            }),
          );
          done.requeued.push(sessionId);
        }
        // Otherwise a decision is on its way to the session: it is handed back next round.
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) ended.add(sessionId);
        else if (error instanceof AppError && error.code === 'session_closed') ended.add(sessionId);
        // Refused for its phase: moved or closed meanwhile; seen again next round if still held.
        else if (!(error instanceof AppError)) throw error;
      }
    }
    await sleep(200);
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
