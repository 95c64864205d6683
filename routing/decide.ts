import { z } from 'zod';
import type { Assignment } from '../domain/agents';
import type { RedisClient } from '../runtime/connections';
import { luaScript } from '../stores/redis/eval';
import {
  acceptScript,
  assignQueuedScript,
  cancelScript,
  configureGroupScript,
  configurePresenceScript,
  connectScript,
  disconnectScript,
  heartbeatScript,
  settleDisconnectedScript,
  sweepScript,
  declineScript,
  enqueueScript,
  releaseScript,
  releaseStrandedScript,
  removeAgentScript,
  restoreScript,
  setStatusScript,
  transferScript,
  upsertAgentScript,
} from './scripts';

/**
 * What every routing decision shares: the loaded scripts, the check that
 * refuses bad input before any script runs (so a bad call changes nothing),
 * the translation of a script's refusal into an error naming the field, and
 * the one `decide` that stamps decisions with their time. The decisions
 * themselves are one file per behaviour (presence, connections, groups, queue,
 * offer, transfer, seats, pending, repair), composed in router.ts.
 */

export class RoutingInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RoutingInputError';
  }
}

export function check<S extends z.ZodType>(schema: S, value: unknown, field: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].join('.');
  throw new RoutingInputError(path, issue?.message ?? 'invalid');
}

/** [sessionId, agentId, groupId, offer ('1': the agent must accept first)] */
const rawAssignment = z.tuple([z.string(), z.string(), z.string(), z.string()]);

/** Turns a script's refusal (an error reply) into an input error naming the field. */
export function refusal(error: unknown): unknown {
  const message = error instanceof Error ? error.message : '';
  if (message.includes('unknown_agent'))
    return new RoutingInputError('agentId', 'no such agent in routing');
  if (message.includes('target_unavailable')) {
    return new RoutingInputError('toAgentId', 'the agent is not online with free capacity');
  }
  if (message.includes('not_assigned')) {
    return new RoutingInputError('sessionId', 'the session is not assigned to this agent');
  }
  if (message.includes('in_flight')) {
    return new RoutingInputError('sessionId', 'a decision for the session is in flight');
  }
  if (message.includes('agent_busy')) {
    return new RoutingInputError('agentId', 'the agent still holds sessions');
  }
  if (message.includes('not_queued')) {
    return new RoutingInputError('sessionId', 'the session is not waiting in a queue');
  }
  if (message.includes('agent_full')) {
    return new RoutingInputError(
      'agentId',
      'the agent is not online with free capacity (force to assign anyway)',
    );
  }
  if (message.includes('agent_offline')) {
    return new RoutingInputError('agentId', 'the agent is offline or has no console open');
  }
  if (message.includes('not_offered')) {
    return new RoutingInputError('sessionId', 'the session is not offered to this agent');
  }
  return error;
}

export function createDecisions(redis: RedisClient, now: () => number) {
  const scripts = {
    upsertAgent: luaScript(upsertAgentScript),
    setStatus: luaScript(setStatusScript),
    enqueue: luaScript(enqueueScript),
    release: luaScript(releaseScript),
    releaseStranded: luaScript(releaseStrandedScript),
    removeAgent: luaScript(removeAgentScript),
    cancel: luaScript(cancelScript),
    configureGroup: luaScript(configureGroupScript),
    accept: luaScript(acceptScript),
    decline: luaScript(declineScript),
    restore: luaScript(restoreScript),
    transfer: luaScript(transferScript),
    assignQueued: luaScript(assignQueuedScript),
    connect: luaScript(connectScript),
    disconnect: luaScript(disconnectScript),
    heartbeat: luaScript(heartbeatScript),
    sweep: luaScript(sweepScript),
    settleDisconnected: luaScript(settleDisconnectedScript),
    configurePresence: luaScript(configurePresenceScript),
  };

  /** Assignments a script made while draining, decoded. */
  const made = (reply: unknown, at: number): Assignment[] =>
    z
      .array(rawAssignment)
      .parse(reply)
      .map(([sessionId, agentId, groupId, offer]) => ({
        sessionId,
        agentId,
        groupId,
        assignedAt: at,
        ...(offer === '1' ? { offer: true } : {}),
      }));

  /** Runs a decision script with the current time as its last argument. */
  const decide = async (
    script: (typeof scripts)['release'],
    key: string,
    args: string[],
  ): Promise<Assignment[]> => {
    const at = now();
    try {
      return made(await script(redis, key, [...args, String(at)]), at);
    } catch (error) {
      throw refusal(error);
    }
  };

  return { redis, now, scripts, made, decide };
}

/** The shared parts each behaviour's decisions are built from. */
export type Decisions = ReturnType<typeof createDecisions>;
