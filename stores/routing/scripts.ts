/**
 * The routing decisions, as Lua scripts: Redis runs each one atomically, so
 * no two decisions interleave (DESIGN.md §5).
 *
 * State, per tenant (see keys.ts):
 *   agent:<A>            hash   status, capacity, groups (comma list), lastAssignedAt
 *   agent-sessions:<A>   set    the agent's open sessions; its size is the load,
 *                               so a repeated release can never free capacity twice
 *   available:<G>        zset   online agents of G with free capacity, best first
 *                               (least-load: load*1e13 + lastAssignedAt;
 *                                round-robin: lastAssignedAt)
 *   group:<G>            hash   strategy
 *   queue:<G>            zset   waiting sessions, score (9 - priority)*1e13 + enqueuedAt
 *                               (higher priority first, then arrival)
 *   waiting:<S>          hash   groupId, priority, enqueuedAt of a queued session
 *   assignment           hash   session -> agent, while the session is with an agent
 *   pending              hash   session -> assignment (JSON) not yet acknowledged
 *   assigned-at:<G>      list   recent assignment times, for the wait estimate
 *
 * Invariant: a group's queue is non-empty only while no agent of the group
 * has free capacity; every script that frees capacity drains the queues.
 */

/** Shared helpers, prepended to every script. ARGV[1] is the key prefix. */
const helpers = `
local P = ARGV[1]
local BAND = 10000000000000

local function agent_groups(agent)
  local csv = redis.call('HGET', P .. 'agent:' .. agent, 'groups')
  local groups = {}
  if csv and csv ~= '' then
    for g in string.gmatch(csv, '[^,]+') do table.insert(groups, g) end
  end
  return groups
end

local function load_of(agent)
  return redis.call('SCARD', P .. 'agent-sessions:' .. agent)
end

local function has_room(agent)
  local a = redis.call('HMGET', P .. 'agent:' .. agent, 'status', 'capacity')
  return a[1] == 'online' and load_of(agent) < tonumber(a[2] or '0')
end

-- Puts the agent in (or takes it out of) each of its groups' available sets.
local function refresh(agent)
  local room = has_room(agent)
  local last = tonumber(redis.call('HGET', P .. 'agent:' .. agent, 'lastAssignedAt') or '0')
  local load = load_of(agent)
  for _, g in ipairs(agent_groups(agent)) do
    if room then
      local strategy = redis.call('HGET', P .. 'group:' .. g, 'strategy') or 'least-load'
      local score = last
      if strategy ~= 'round-robin' then score = load * BAND + last end
      redis.call('ZADD', P .. 'available:' .. g, score, agent)
    else
      redis.call('ZREM', P .. 'available:' .. g, agent)
    end
  end
end

-- Records the decision: the agent takes the session, and the waiting
-- workflow is to be told (pending until acknowledged).
local function assign(agent, session, group, now)
  redis.call('SADD', P .. 'agent-sessions:' .. agent, session)
  redis.call('HSET', P .. 'assignment', session, agent)
  redis.call('HSET', P .. 'agent:' .. agent, 'lastAssignedAt', now)
  redis.call('HSET', P .. 'pending', session,
    cjson.encode({ sessionId = session, agentId = agent, groupId = group, assignedAt = tonumber(now) }))
  redis.call('LPUSH', P .. 'assigned-at:' .. group, now)
  redis.call('LTRIM', P .. 'assigned-at:' .. group, 0, 19)
  refresh(agent)
  return { session, agent, group }
end

-- While the agent has room, takes the best head of its groups' queues.
local function drain(agent, now, made)
  while has_room(agent) do
    local best_group, best_session, best_score = nil, nil, nil
    for _, g in ipairs(agent_groups(agent)) do
      local head = redis.call('ZRANGE', P .. 'queue:' .. g, 0, 0, 'WITHSCORES')
      if head[1] and (best_score == nil or tonumber(head[2]) < best_score) then
        best_group, best_session, best_score = g, head[1], tonumber(head[2])
      end
    end
    if best_session == nil then break end
    redis.call('ZREM', P .. 'queue:' .. best_group, best_session)
    redis.call('DEL', P .. 'waiting:' .. best_session)
    table.insert(made, assign(agent, best_session, best_group, now))
  end
  return made
end
`;

/**
 * ARGV: prefix, agentId, capacity, groups (comma list), now.
 * Creates or changes an agent (status stays); drains if it now has room.
 */
export const upsertAgentScript = `${helpers}
local agent, capacity, groups, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
for _, g in ipairs(agent_groups(agent)) do redis.call('ZREM', P .. 'available:' .. g, agent) end
redis.call('HSET', P .. 'agent:' .. agent, 'capacity', capacity, 'groups', groups)
if redis.call('HEXISTS', P .. 'agent:' .. agent, 'status') == 0 then
  redis.call('HSET', P .. 'agent:' .. agent, 'status', 'offline', 'lastAssignedAt', 0)
end
refresh(agent)
return drain(agent, now, {})
`;

/** ARGV: prefix, agentId, status, now. Online drains; away/offline stops new assignments. */
export const setStatusScript = `${helpers}
local agent, status, now = ARGV[2], ARGV[3], ARGV[4]
if redis.call('EXISTS', P .. 'agent:' .. agent) == 0 then return redis.error_reply('unknown_agent') end
redis.call('HSET', P .. 'agent:' .. agent, 'status', status)
refresh(agent)
return drain(agent, now, {})
`;

/**
 * ARGV: prefix, sessionId, groupId, priority, enqueuedAt, now, preferredAgent ('' for none).
 * Assigns at once if an agent has room, else queues. Idempotent: a session
 * already assigned or waiting answers with its state, which is how waiting
 * workflows re-assert their place after Redis lost its data.
 * Returns {'assigned', agentId} or {'queued', position}.
 */
export const enqueueScript = `${helpers}
local session, group, priority, enqueued, now, preferred = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7]
local current = redis.call('HGET', P .. 'assignment', session)
if current then return { 'assigned', current } end
local queue = P .. 'queue:' .. group
local rank = redis.call('ZRANK', queue, session)
if rank then return { 'queued', rank + 1 } end
local agent = nil
if preferred ~= '' and redis.call('ZSCORE', P .. 'available:' .. group, preferred) then
  agent = preferred
else
  agent = redis.call('ZRANGE', P .. 'available:' .. group, 0, 0)[1]
end
if agent then
  assign(agent, session, group, now)
  return { 'assigned', agent }
end
redis.call('ZADD', queue, (9 - priority) * BAND + enqueued, session)
redis.call('HSET', P .. 'waiting:' .. session, 'groupId', group, 'priority', priority, 'enqueuedAt', enqueued)
return { 'queued', redis.call('ZRANK', queue, session) + 1 }
`;

/**
 * ARGV: prefix, agentId, sessionId, now. The session left the agent (closed
 * or transferred away): frees its seat once, and drains.
 */
export const releaseScript = `${helpers}
local agent, session, now = ARGV[2], ARGV[3], ARGV[4]
if redis.call('SREM', P .. 'agent-sessions:' .. agent, session) == 0 then return {} end
if redis.call('HGET', P .. 'assignment', session) == agent then redis.call('HDEL', P .. 'assignment', session) end
redis.call('HDEL', P .. 'pending', session)
refresh(agent)
return drain(agent, now, {})
`;

/** ARGV: prefix, sessionId. A waiting session gave up or overflowed. Returns 1 if it was queued. */
export const cancelScript = `${helpers}
local session = ARGV[2]
local group = redis.call('HGET', P .. 'waiting:' .. session, 'groupId')
if not group then return 0 end
redis.call('ZREM', P .. 'queue:' .. group, session)
redis.call('DEL', P .. 'waiting:' .. session)
return 1
`;

/** ARGV: prefix, groupId, strategy. Re-scores the group's available agents. */
export const setStrategyScript = `${helpers}
local group, strategy = ARGV[2], ARGV[3]
redis.call('HSET', P .. 'group:' .. group, 'strategy', strategy)
for _, agent in ipairs(redis.call('ZRANGE', P .. 'available:' .. group, 0, -1)) do refresh(agent) end
return 1
`;
