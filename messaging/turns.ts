import type { RedisClient } from '../runtime/connections';
import { tenantPrefix } from '../stores/routing/keys';
import { luaScript } from '../stores/routing/eval';

/**
 * Who spoke last in each session, kept in Redis so that every gateway node
 * agrees on when the speaker changes (a new turn): only then is the workflow
 * signalled, so its history grows with turns, not messages (DESIGN.md §3).
 * Turns are ordered by seq, not by arrival, so two nodes racing cannot make
 * an older message the last word. A lost key (FLUSHALL) only costs one
 * extra signal, which the workflow treats like any turn.
 */
const recordTurn = luaScript(`
local seq = tonumber(ARGV[2])
local current = redis.call('HMGET', KEYS[1], 'by', 'seq')
if current[2] and tonumber(current[2]) >= seq then return 'stale' end
redis.call('HSET', KEYS[1], 'by', ARGV[1], 'seq', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if current[1] == ARGV[1] then return 'same' end
return 'changed'
`);

/** Turns of a quiet session are forgotten after a day; a later message starts a new turn. */
const turnTtlMs = 24 * 60 * 60 * 1000;

export type TurnOutcome = 'changed' | 'same' | 'stale';

export function turnTracker(redis: RedisClient) {
  return {
    async record(
      tenantId: string,
      sessionId: string,
      by: 'visitor' | 'agent',
      seq: number,
    ): Promise<TurnOutcome> {
      const key = `${tenantPrefix(tenantId)}turn:${sessionId}`;
      const result = await recordTurn(redis, key, [by, String(seq), String(turnTtlMs)]);
      return result === 'same' || result === 'stale' ? result : 'changed';
    },
  };
}

export type TurnTracker = ReturnType<typeof turnTracker>;
