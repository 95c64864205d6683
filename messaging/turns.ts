import type { RedisClient } from '../runtime/connections';
import { tenantPrefix } from '../stores/redis/keys';
import { luaScript } from '../stores/redis/eval';

/**
 * Who spoke last in each session, kept in Redis so that every gateway node
 * agrees on when the speaker changes (a new turn): only then is the workflow
 * signalled, so its history grows with turns, not messages (DESIGN.md §3).
 * Turns are ordered by seq, not by arrival, so two nodes racing cannot make
 * an older message the last word. A lost key (FLUSHALL) only costs one
 * extra signal, which the workflow treats like any turn.
 *
 * Hash fields: by, seq (the latest message), from (the seq that began the
 * turn), told (the latest seq whose turn change reached the workflow). A
 * resend of the message that began the turn answers 'changed' again until
 * that change is told, so a node that died before telling is made good by
 * the client's retry.
 */
const recordTurn = luaScript(`
local seq = tonumber(ARGV[2])
local current = redis.call('HMGET', KEYS[1], 'by', 'seq', 'from', 'told')
local latest = tonumber(current[2])
if latest and latest > seq then return 'stale' end
if latest == seq then
  if tonumber(current[3]) == seq and tonumber(current[4]) ~= seq then return 'changed' end
  return 'same'
end
local changed = current[1] ~= ARGV[1]
redis.call('HSET', KEYS[1], 'by', ARGV[1], 'seq', ARGV[2])
if changed then redis.call('HSET', KEYS[1], 'from', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
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

export type TurnOutcome = 'changed' | 'same' | 'stale';

export function turnTracker(redis: RedisClient) {
  return {
    async record(
      tenantId: string,
      sessionId: string,
      by: 'visitor' | 'agent',
      seq: number,
    ): Promise<TurnOutcome> {
      const result = await recordTurn(redis, turnKey(tenantId, sessionId), [
        by,
        String(seq),
        String(turnTtlMs),
      ]);
      return result === 'same' || result === 'stale' ? result : 'changed';
    },

    /** The workflow has been told of the turn that began at `seq`. */
    async told(tenantId: string, sessionId: string, seq: number): Promise<void> {
      await markTold(redis, turnKey(tenantId, sessionId), [String(seq)]);
    },
  };
}

export type TurnTracker = ReturnType<typeof turnTracker>;
