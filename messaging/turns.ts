import type { RedisClient } from '../runtime/connections';
import { tenantPrefix } from '../stores/redis/keys';
import { luaScript } from '../stores/redis/eval';

/**
 * Who spoke last in each session, kept in Redis so that every gateway node
 * agrees on when the speaker changes (a new turn). Turns are ordered by seq,
 * not by arrival, so two nodes racing cannot make an older message the last
 * word.
 *
 * What the workflow is told depends on its run (workflows/session/human.ts):
 * - A run that reads turns at its deadlines names, at each assignment, the
 *   agent whose first reply it expects (field `expect`). Only that reply is
 *   told ('changed'); every other message is 'quiet', its turn read back
 *   from the stored messages when a deadline fires. So a conversation costs
 *   the workflow one signal per holding, not one per turn.
 * - A run from before that (no `expect` field) is told every change of
 *   speaker, so its history grows with turns, not messages (DESIGN.md §3).
 * A lost key (FLUSHALL) falls back to the second: extra signals, which every
 * run treats like any turn.
 *
 * Hash fields: by, seq (the latest message), from (the seq that began the
 * turn), told (the latest seq whose turn change reached the workflow),
 * expect (the agent whose first reply is awaited, '' once it came) and
 * reply (that reply's seq). A resend of a message still to tell answers
 * 'changed' again until it is told, so a node that died before telling is
 * made good by the client's retry.
 *
 * ARGV: by, seq, ttl, the sender's agent id ('' for the shopper).
 */
const recordTurn = luaScript(`
local seq = tonumber(ARGV[2])
local current = redis.call('HMGET', KEYS[1], 'by', 'seq', 'from', 'told', 'expect', 'reply')
local latest = tonumber(current[2])
local expect = current[5]
if latest and latest > seq then return 'stale' end
if latest == seq then
  if expect then
    if tonumber(current[6]) == seq and tonumber(current[4]) ~= seq then return 'changed' end
    return 'quiet'
  end
  if tonumber(current[3]) == seq and tonumber(current[4]) ~= seq then return 'changed' end
  return 'same'
end
local changed = current[1] ~= ARGV[1]
redis.call('HSET', KEYS[1], 'by', ARGV[1], 'seq', ARGV[2])
if changed then redis.call('HSET', KEYS[1], 'from', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if expect then
  if ARGV[1] == 'agent' and expect ~= '' and expect == ARGV[4] then
    redis.call('HSET', KEYS[1], 'expect', '', 'reply', ARGV[2])
    return 'changed'
  end
  return 'quiet'
end
if changed then return 'changed' end
return 'same'
`);

/**
 * Marks a turn told, never moving the mark back (a slow node telling an older
 * turn); a key that expired meanwhile is not brought back without its TTL.
 */
const markTold = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local told = tonumber(redis.call('HGET', KEYS[1], 'told'))
if told and told >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'told', ARGV[1])
return 1
`);

/** Turns of a quiet session are forgotten after a day; a later message starts a new turn. */
const turnTtlMs = 24 * 60 * 60 * 1000;

export const turnKey = (tenantId: string, sessionId: string) =>
  `${tenantPrefix(tenantId)}turn:${sessionId}`;

/**
 * 'changed': tell the workflow; 'same' and 'stale': nothing to tell; 'quiet':
 * a turn the workflow reads at its deadlines instead.
 */
export type TurnOutcome = 'changed' | 'same' | 'stale' | 'quiet';

const outcomes: readonly TurnOutcome[] = ['changed', 'same', 'stale', 'quiet'];

export function turnTracker(redis: RedisClient) {
  return {
    async record(
      tenantId: string,
      sessionId: string,
      by: 'visitor' | 'agent',
      seq: number,
      agentId = '',
    ): Promise<TurnOutcome> {
      const result = await recordTurn(redis, turnKey(tenantId, sessionId), [
        by,
        String(seq),
        String(turnTtlMs),
        agentId,
      ]);
      const outcome = outcomes.find((o) => o === result);
      return outcome ?? 'changed';
    },

    /** The workflow has been told of the turn that began at `seq`. */
    async told(tenantId: string, sessionId: string, seq: number): Promise<void> {
      await markTold(redis, turnKey(tenantId, sessionId), [String(seq)]);
    },

    /**
     * From now on, tell the workflow only `agentId`'s first reply (an
     * assignment in a run that reads its other turns at its deadlines).
     */
    async expectReply(tenantId: string, sessionId: string, agentId: string): Promise<void> {
      const key = turnKey(tenantId, sessionId);
      await redis
        .multi()
        .hSet(key, 'expect', agentId)
        .hDel(key, 'reply')
        .pExpire(key, turnTtlMs)
        .exec();
    },
  };
}

export type TurnTracker = ReturnType<typeof turnTracker>;
