/**
 * The routing decisions, as Lua scripts: Redis runs each one atomically, so
 * no two decisions interleave (DESIGN.md §5).
 *
 * Longer than most files on purpose: every script is prepended with the same
 * helpers and must keep the one invariant below, so the state table, the
 * invariant and every script that writes the state are read side by side.
 *
 * State, per tenant (see routing/keys.ts):
 *   agent:<A>            hash   status, capacity, groups (comma list), lastAssignedAt,
 *                               guessed ('1' while the status is upsertAgent's default)
 *   agent-sessions:<A>   set    sessions holding a seat of the agent (assigned or offered);
 *                               its size is the load, so a repeated release can never
 *                               free a seat twice
 *   available:<G>        zset   online agents of G with free capacity, best first
 *                               (least-load: load*1e13 + lastAssignedAt;
 *                                round-robin: lastAssignedAt)
 *   group:<G>            hash   strategy, reserve ('1': agents must accept an offer), overflow group
 *   queue:<G>            zset   waiting sessions, score (9 - priority)*1e13 + enqueuedAt
 *                               (higher priority first, then arrival)
 *   ticket:<S>           hash   groupId, priority, enqueuedAt while the session is routed
 *   assignment           hash   session -> agent, while the session holds a seat
 *   offers               hash   session -> agent, offered and not yet accepted
 *   declined:<S>         set    agents that turned the session's offer down (not offered again)
 *   moved:<S>            string the agent the session was last transferred away from (1 h),
 *                               so a retried transfer is answered, not refused
 *   pending              hash   session -> decision (JSON) not yet acknowledged by its workflow
 *   assigned-at:<G>      list   recent decision times, for the wait estimate
 *   restored             hash   session -> agent, seats the last restore took from the
 *                               durable truth, until the session is seen ended or back in
 *                               the queue (24 h): a close or a decline that raced the
 *                               restore may have left one behind
 *   presence             hash   mode ('manual'; absent: follow connections), graceMs
 *   conns:<A>            set    the agent's console connections, '<node> <socket>'
 *   node:<N>             string gateway node N's lease for this tenant (PX): while it
 *                               lives, N's connections count; a dead node's lease runs out
 *   node-conns:<N>       set    N's connections of this tenant, '<agent> <socket>'
 *   nodes                set    nodes that have connections of this tenant
 *   disconnected         zset   online (or busy) agents with no live connection, scored by
 *                               the end of their grace; the sweep sets them away after it
 *
 * Invariant: a group's queue is non-empty only while no agent of the group
 * has free capacity for its head; every script that frees capacity drains.
 * Presence: while the tenant follows connections, nothing is assigned to an
 * agent without a live connection (has_room and best_agent check it, so a
 * node that died without a word is covered as soon as its lease runs out).
 */

/** Shared helpers, prepended to every script. ARGV[1] is the key prefix. */
const helpers = `
local P = ARGV[1]
local BAND = 10000000000000
-- How far down a queue (or an available set) to look past declined entries.
local SCAN = 50

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

local function following()
  return redis.call('HGET', P .. 'presence', 'mode') ~= 'manual'
end

-- A connection counts while its node's lease lives; in manual mode every agent is live.
local function live(agent)
  if not following() then return true end
  for _, c in ipairs(redis.call('SMEMBERS', P .. 'conns:' .. agent)) do
    if redis.call('EXISTS', P .. 'node:' .. string.match(c, '^[^ ]+')) == 1 then return true end
  end
  return false
end

local function has_room(agent)
  local a = redis.call('HMGET', P .. 'agent:' .. agent, 'status', 'capacity')
  return a[1] == 'online' and load_of(agent) < tonumber(a[2] or '0') and live(agent)
end

-- Starts the grace of an online or busy agent with no live connection (an
-- earlier deadline is kept); forgets it for anyone else.
local function watch_presence(agent, now)
  local status = redis.call('HGET', P .. 'agent:' .. agent, 'status')
  if following() and (status == 'online' or status == 'busy') and not live(agent) then
    local grace = tonumber(redis.call('HGET', P .. 'presence', 'graceMs') or '60000')
    redis.call('ZADD', P .. 'disconnected', 'NX', tonumber(now) + grace, agent)
  else
    redis.call('ZREM', P .. 'disconnected', agent)
  end
end

local function add_connection(node, agent, socket)
  redis.call('SADD', P .. 'conns:' .. agent, node .. ' ' .. socket)
  redis.call('SADD', P .. 'node-conns:' .. node, agent .. ' ' .. socket)
  redis.call('SADD', P .. 'nodes', node)
end

local function drop_connection(node, agent, socket)
  redis.call('SREM', P .. 'conns:' .. agent, node .. ' ' .. socket)
  redis.call('SREM', P .. 'node-conns:' .. node, agent .. ' ' .. socket)
  if redis.call('SCARD', P .. 'node-conns:' .. node) == 0 then redis.call('SREM', P .. 'nodes', node) end
end

local function declined(session, agent)
  return redis.call('SISMEMBER', P .. 'declined:' .. session, agent) == 1
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

-- The best agent of the group for this session: the preferred one if it has
-- room, else the first available one that has not declined it.
local function best_agent(group, session, preferred)
  if preferred ~= '' and redis.call('ZSCORE', P .. 'available:' .. group, preferred)
    and not declined(session, preferred) and live(preferred) then
    return preferred
  end
  -- An agent whose node died is still listed until the sweep drops it: skipped.
  for _, agent in ipairs(redis.call('ZRANGE', P .. 'available:' .. group, 0, SCAN - 1)) do
    if not declined(session, agent) and live(agent) then return agent end
  end
  return nil
end

-- Records the decision: the agent's seat is taken (also while only offered,
-- so an offer can never be made beyond capacity), and the session's workflow
-- is to be told (pending until acknowledged).
local function assign(agent, session, group, now)
  local offer = redis.call('HGET', P .. 'group:' .. group, 'reserve') == '1'
  redis.call('SADD', P .. 'agent-sessions:' .. agent, session)
  redis.call('HSET', P .. 'assignment', session, agent)
  if offer then redis.call('HSET', P .. 'offers', session, agent) end
  redis.call('HSET', P .. 'agent:' .. agent, 'lastAssignedAt', now)
  redis.call('HSET', P .. 'pending', session, cjson.encode({
    sessionId = session, agentId = agent, groupId = group, assignedAt = tonumber(now), offer = offer }))
  redis.call('LPUSH', P .. 'assigned-at:' .. group, now)
  redis.call('LTRIM', P .. 'assigned-at:' .. group, 0, 19)
  refresh(agent)
  return { session, agent, group, offer and '1' or '0' }
end

local function queue_session(session, group, priority, enqueued)
  redis.call('ZADD', P .. 'queue:' .. group, (9 - tonumber(priority)) * BAND + tonumber(enqueued), session)
end

-- While the agent has room, takes the best head of its groups' queues that
-- it has not declined.
local function drain(agent, now, made)
  while has_room(agent) do
    local best_group, best_session, best_score = nil, nil, nil
    for _, g in ipairs(agent_groups(agent)) do
      local entries = redis.call('ZRANGE', P .. 'queue:' .. g, 0, SCAN - 1, 'WITHSCORES')
      for i = 1, #entries, 2 do
        if not declined(entries[i], agent) then
          local score = tonumber(entries[i + 1])
          if best_score == nil or score < best_score then
            best_group, best_session, best_score = g, entries[i], score
          end
          break
        end
      end
    end
    if best_session == nil then break end
    redis.call('ZREM', P .. 'queue:' .. best_group, best_session)
    table.insert(made, assign(agent, best_session, best_group, now))
  end
  return made
end

-- Frees the session's seat; returns true if it held one of this agent.
local function free_seat(agent, session)
  if redis.call('SREM', P .. 'agent-sessions:' .. agent, session) == 0 then return false end
  if redis.call('HGET', P .. 'assignment', session) == agent then
    redis.call('HDEL', P .. 'assignment', session)
    redis.call('HDEL', P .. 'offers', session)
    redis.call('HDEL', P .. 'pending', session)
  end
  return true
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
  -- A new agent starts offline; after a loss of Redis state this is only a
  -- guess, which a restore replaces with the durable status.
  redis.call('HSET', P .. 'agent:' .. agent, 'status', 'offline', 'guessed', '1', 'lastAssignedAt', 0)
end
refresh(agent)
return drain(agent, now, {})
`;

/** ARGV: prefix, agentId, status, now. Online drains; away/offline stops new assignments. */
export const setStatusScript = `${helpers}
local agent, status, now = ARGV[2], ARGV[3], ARGV[4]
if redis.call('EXISTS', P .. 'agent:' .. agent) == 0 then return redis.error_reply('unknown_agent') end
redis.call('HSET', P .. 'agent:' .. agent, 'status', status)
redis.call('HDEL', P .. 'agent:' .. agent, 'guessed')
watch_presence(agent, now)
refresh(agent)
return drain(agent, now, {})
`;

/**
 * ARGV: prefix, groupId, strategy, reserve ('1' or '0'), overflow group ('' for none).
 * Re-scores the group's available agents.
 */
export const configureGroupScript = `${helpers}
local group, strategy, reserve, overflow = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
redis.call('HSET', P .. 'group:' .. group, 'strategy', strategy, 'reserve', reserve, 'overflow', overflow)
for _, agent in ipairs(redis.call('ZRANGE', P .. 'available:' .. group, 0, -1)) do refresh(agent) end
return 1
`;

/**
 * ARGV: prefix, sessionId, groupId, priority, enqueuedAt, now, preferredAgent ('' for none),
 * maxLength ('' for no limit).
 * Assigns (or offers) at once if an agent has room, else queues. Idempotent:
 * a session already holding a seat or waiting answers with its state, which
 * is how waiting workflows re-assert their place after Redis lost its data.
 * A newcomer to a queue already maxLength long is refused and nothing is
 * written: the length is read and the session placed in one script, so
 * concurrent arrivals can never push a queue past its limit.
 * Returns {'assigned', agentId}, {'queued', position} or {'full', queue length}.
 */
export const enqueueScript = `${helpers}
local session, group, priority, enqueued, now, preferred = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local max_length = ARGV[8]
local current = redis.call('HGET', P .. 'assignment', session)
if current then return { 'assigned', current } end
local queue = P .. 'queue:' .. group
local rank = redis.call('ZRANK', queue, session)
if rank then return { 'queued', rank + 1 } end
if max_length ~= '' then
  local length = redis.call('ZCARD', queue)
  if length >= tonumber(max_length) then return { 'full', length } end
end
redis.call('HSET', P .. 'ticket:' .. session, 'groupId', group, 'priority', priority, 'enqueuedAt', enqueued)
local agent = best_agent(group, session, preferred)
if agent then
  assign(agent, session, group, now)
  return { 'assigned', agent }
end
queue_session(session, group, priority, enqueued)
return { 'queued', redis.call('ZRANK', queue, session) + 1 }
`;

/**
 * ARGV: prefix, agentId, sessionId, now. The session left the agent (closed
 * or transferred away): frees its seat once, forgets the session, and drains.
 */
export const releaseScript = `${helpers}
local agent, session, now = ARGV[2], ARGV[3], ARGV[4]
if not free_seat(agent, session) then return {} end
redis.call('DEL', P .. 'ticket:' .. session, P .. 'declined:' .. session)
refresh(agent)
return drain(agent, now, {})
`;

/**
 * ARGV: prefix, agentId, sessionId, now. Frees a seat a restore gave back to
 * a session that has since left it without a release that counted (it went
 * back to the queue while Redis had nothing to free). Refuses ('in_flight')
 * while a decision for the session is pending or offered, as one may be new;
 * the session's own `declined` set is kept, so the agent it left is not
 * offered it again. Returns the decisions the freed seat drained.
 */
export const releaseStrandedScript = `${helpers}
local agent, session, now = ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', P .. 'assignment', session) ~= agent then return {} end
if redis.call('HEXISTS', P .. 'pending', session) == 1
  or redis.call('HEXISTS', P .. 'offers', session) == 1 then
  return redis.error_reply('in_flight')
end
free_seat(agent, session)
refresh(agent)
return drain(agent, now, {})
`;

/**
 * ARGV: prefix, agentId. Takes a deleted agent out of routing: out of its
 * groups' available sets, its hash and seat set gone. Refuses ('agent_busy')
 * while it still holds a seat, so no session is left with an agent nobody
 * can reach; a second call after the seats are handed back is safe.
 */
export const removeAgentScript = `${helpers}
local agent = ARGV[2]
if load_of(agent) > 0 then return redis.error_reply('agent_busy') end
for _, g in ipairs(agent_groups(agent)) do redis.call('ZREM', P .. 'available:' .. g, agent) end
redis.call('DEL', P .. 'agent:' .. agent, P .. 'agent-sessions:' .. agent)
return 1
`;

/** ARGV: prefix, agentId, sessionId. Returns 1 when the offer was this agent's and is now accepted. */
export const acceptScript = `${helpers}
local agent, session = ARGV[2], ARGV[3]
if redis.call('HGET', P .. 'offers', session) ~= agent then return 0 end
redis.call('HDEL', P .. 'offers', session)
return 1
`;

/**
 * ARGV: prefix, agentId, sessionId, awayAfterMiss ('1' or '0'), now.
 * The agent rejected the offer, or let it time out: its seat is freed, it is
 * never offered this session again, and the session goes to the next agent
 * or back to its original place in the queue. Returns the decisions made
 * (the re-offer first), or an error if the offer was not this agent's.
 */
export const declineScript = `${helpers}
local agent, session, away, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('HGET', P .. 'offers', session) ~= agent then return redis.error_reply('not_offered') end
free_seat(agent, session)
redis.call('SADD', P .. 'declined:' .. session, agent)
if away == '1' then
  redis.call('HSET', P .. 'agent:' .. agent, 'status', 'away')
  redis.call('HDEL', P .. 'agent:' .. agent, 'guessed')
end
refresh(agent)
local made = {}
local t = redis.call('HMGET', P .. 'ticket:' .. session, 'groupId', 'priority', 'enqueuedAt')
if not t[1] then return drain(agent, now, made) end
local next_agent = best_agent(t[1], session, '')
if next_agent then
  table.insert(made, assign(next_agent, session, t[1], now))
else
  queue_session(session, t[1], t[2], t[3])
end
return drain(agent, now, made)
`;

/** ARGV: prefix, sessionId. A waiting session gave up or overflowed. Returns 1 if it was queued. */
export const cancelScript = `${helpers}
local session = ARGV[2]
local group = redis.call('HGET', P .. 'ticket:' .. session, 'groupId')
if not group or redis.call('ZREM', P .. 'queue:' .. group, session) == 0 then return 0 end
redis.call('DEL', P .. 'ticket:' .. session, P .. 'declined:' .. session)
return 1
`;

/**
 * ARGV: prefix, snapshot (JSON), now. Rebuilds a tenant's routing state after
 * Redis lost it (FLUSHALL, failover without persistence), from the durable
 * truth: presence settings, group settings, agents with their settings, status and open
 * sessions, and waiting sessions with their original priority and arrival. A no-op while the
 * tenant's epoch key exists, so it cannot run over live state twice; merges
 * with whatever live calls wrote since the loss. The snapshot may have been
 * read before those calls, so where they set a group's settings or an
 * agent's settings or status, theirs is kept; only an agent status that
 * upsertAgent guessed is replaced by the durable one. One script, so no
 * decision interleaves with the rebuild and queue order comes back exactly.
 * Returns 'intact', or the decisions made by draining afterwards.
 */
export const restoreScript = `${helpers}
local now = ARGV[3]
if redis.call('EXISTS', P .. 'epoch') == 1 then return 'intact' end
local snapshot = cjson.decode(ARGV[2])
if snapshot.presence and redis.call('EXISTS', P .. 'presence') == 0 then
  redis.call('HSET', P .. 'presence', 'mode', snapshot.presence.mode,
    'graceMs', snapshot.presence.disconnectGraceSeconds * 1000)
end
for _, g in ipairs(snapshot.groups) do
  if redis.call('EXISTS', P .. 'group:' .. g.groupId) == 0 then
    redis.call('HSET', P .. 'group:' .. g.groupId, 'strategy', g.strategy, 'reserve', g.reserve and '1' or '0',
      'overflow', g.overflowGroupId or '')
  end
end
for _, a in ipairs(snapshot.agents) do
  local key = P .. 'agent:' .. a.agentId
  if redis.call('HEXISTS', key, 'guessed') == 1 then
    redis.call('HSET', key, 'status', a.status)
    redis.call('HDEL', key, 'guessed')
  end
  redis.call('HSETNX', key, 'capacity', a.capacity)
  redis.call('HSETNX', key, 'groups', table.concat(a.groups, ','))
  redis.call('HSETNX', key, 'status', a.status)
  redis.call('HSETNX', key, 'lastAssignedAt', a.lastAssignedAt or 0)
  for _, s in ipairs(a.openSessions) do
    redis.call('SADD', P .. 'agent-sessions:' .. a.agentId, s)
    redis.call('HSET', P .. 'assignment', s, a.agentId)
    redis.call('HSET', P .. 'restored', s, a.agentId)
  end
end
redis.call('PEXPIRE', P .. 'restored', 86400000)
for _, w in ipairs(snapshot.waiting) do
  if not redis.call('HGET', P .. 'assignment', w.sessionId) then
    redis.call('HSET', P .. 'ticket:' .. w.sessionId, 'groupId', w.groupId, 'priority', w.priority, 'enqueuedAt', w.enqueuedAt)
    queue_session(w.sessionId, w.groupId, w.priority, w.enqueuedAt)
  end
end
-- Connections were lost with the rest: the gateways' next heartbeats bring
-- them back, and an agent whose console is gone meanwhile goes away after the grace.
for _, a in ipairs(snapshot.agents) do watch_presence(a.agentId, now) end
for _, a in ipairs(snapshot.agents) do refresh(a.agentId) end
local made = {}
for _, a in ipairs(snapshot.agents) do drain(a.agentId, now, made) end
redis.call('SET', P .. 'epoch', now)
return made
`;

/**
 * ARGV: prefix, fromAgent, sessionId, toAgent ('' for a group), toGroup ('' for an agent), priority, now.
 * Moves the session's seat in one step, so capacity is never counted twice or
 * lost: to an agent, who must be online with room (else 'target_unavailable'
 * and nothing changes); or to a group, where it is assigned or queued like a
 * new arrival. The old agent is never given the session back, and drains.
 * Returns {result, decisions}: result is {'assigned', agent} or {'queued', position}.
 * A retry of a move already made answers as the move did, with no decisions.
 */
export const transferScript = `${helpers}
local from, session, to_agent, to_group, priority, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local holder = redis.call('HGET', P .. 'assignment', session)
local offered = redis.call('HEXISTS', P .. 'offers', session) == 1
if holder ~= from or offered then
  -- The same move asked again (its first answer was lost on the way back): it
  -- happened, so it gets the answer it had, and nothing moves twice.
  if to_agent ~= '' and holder == to_agent and not offered
    and redis.call('GET', P .. 'moved:' .. session) == from then
    return { { 'assigned', to_agent }, {} }
  end
  if to_group ~= '' and declined(session, from)
    and redis.call('HGET', P .. 'ticket:' .. session, 'groupId') == to_group then
    if holder then return { { 'assigned', holder }, {} } end
    local rank = redis.call('ZRANK', P .. 'queue:' .. to_group, session)
    if rank then return { { 'queued', rank + 1 }, {} } end
  end
  return redis.error_reply('not_assigned')
end
if to_agent ~= '' then
  if to_agent == from or not has_room(to_agent) then return redis.error_reply('target_unavailable') end
  free_seat(from, session)
  redis.call('SADD', P .. 'agent-sessions:' .. to_agent, session)
  redis.call('HSET', P .. 'assignment', session, to_agent)
  -- Who it came from, for recognising a retry of this move (retries come within minutes).
  redis.call('SET', P .. 'moved:' .. session, from, 'PX', 3600000)
  refresh(to_agent)
  refresh(from)
  return { { 'assigned', to_agent }, drain(from, now, {}) }
end
free_seat(from, session)
redis.call('SADD', P .. 'declined:' .. session, from)
redis.call('HSET', P .. 'ticket:' .. session, 'groupId', to_group, 'priority', priority, 'enqueuedAt', now)
refresh(from)
local made = {}
local result
local agent = best_agent(to_group, session, '')
if agent then
  table.insert(made, assign(agent, session, to_group, now))
  result = { 'assigned', agent }
else
  queue_session(session, to_group, priority, now)
  result = { 'queued', redis.call('ZRANK', P .. 'queue:' .. to_group, session) + 1 }
end
return { result, drain(from, now, made) }
`;

/**
 * ARGV: prefix, sessionId, agentId, force ('1' or '0'), now.
 * A supervisor takes a waiting session out of its queue and gives it to a
 * chosen agent, as an assignment (never an offer: the supervisor decided).
 * The agent must be known ('unknown_agent'), of any group (a supervisor may
 * lend an agent of another group), and the session waiting ('not_queued').
 * Unforced, the agent must be online with room ('agent_full'); forced, any
 * agent who is not offline and has a live console ('agent_offline') takes
 * it, away or beyond capacity. Nothing changes on a refusal. The decision is pending until the
 * workflow hears it, like every other. Returns the decisions made.
 */
export const assignQueuedScript = `${helpers}
local session, agent, force, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', P .. 'agent:' .. agent) == 0 then return redis.error_reply('unknown_agent') end
local group = redis.call('HGET', P .. 'ticket:' .. session, 'groupId')
if not group or not redis.call('ZSCORE', P .. 'queue:' .. group, session) then
  return redis.error_reply('not_queued')
end
if force == '1' then
  if redis.call('HGET', P .. 'agent:' .. agent, 'status') == 'offline' or not live(agent) then
    return redis.error_reply('agent_offline')
  end
elseif not has_room(agent) then
  return redis.error_reply('agent_full')
end
redis.call('ZREM', P .. 'queue:' .. group, session)
redis.call('SADD', P .. 'agent-sessions:' .. agent, session)
redis.call('HSET', P .. 'assignment', session, agent)
redis.call('HSET', P .. 'agent:' .. agent, 'lastAssignedAt', now)
redis.call('HSET', P .. 'pending', session, cjson.encode({
  sessionId = session, agentId = agent, groupId = group, assignedAt = tonumber(now), offer = false }))
redis.call('LPUSH', P .. 'assigned-at:' .. group, now)
redis.call('LTRIM', P .. 'assigned-at:' .. group, 0, 19)
refresh(agent)
return { { session, agent, group, '0' } }
`;

/**
 * ARGV: prefix, nodeId, leaseMs, agentId, socketId, now. A console connection
 * of the agent opened on node N: N's lease is renewed, the connection
 * recorded, the agent's grace (if any) ends, and an online agent that had
 * no live connection takes its queues' heads now.
 */
export const connectScript = `${helpers}
local node, lease, agent, socket, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
redis.call('SET', P .. 'node:' .. node, now, 'PX', lease)
add_connection(node, agent, socket)
watch_presence(agent, now)
refresh(agent)
return drain(agent, now, {})
`;

/**
 * ARGV: prefix, nodeId, agentId, socketId, now. The connection closed: if it
 * was the agent's last live one, the agent takes nothing new from now on and
 * its grace starts.
 */
export const disconnectScript = `${helpers}
local node, agent, socket, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
drop_connection(node, agent, socket)
watch_presence(agent, now)
refresh(agent)
return {}
`;

/**
 * ARGV: prefix, nodeId, leaseMs, now, then one '<agent> <socket>' per
 * connection node N holds for the tenant. Renews N's lease and makes N's
 * recorded connections exactly these: after a loss of Redis state they come
 * back, and one whose close was lost goes. Returns the decisions of agents
 * that became live.
 */
export const heartbeatScript = `${helpers}
local node, lease, now = ARGV[2], ARGV[3], ARGV[4]
redis.call('SET', P .. 'node:' .. node, now, 'PX', lease)
local want, touched = {}, {}
for i = 5, #ARGV do want[ARGV[i]] = true end
for _, entry in ipairs(redis.call('SMEMBERS', P .. 'node-conns:' .. node)) do
  if not want[entry] then
    local agent, socket = string.match(entry, '^([^ ]+) ([^ ]+)$')
    drop_connection(node, agent, socket)
    table.insert(touched, agent)
  end
end
for i = 5, #ARGV do
  if redis.call('SISMEMBER', P .. 'node-conns:' .. node, ARGV[i]) == 0 then
    local agent, socket = string.match(ARGV[i], '^([^ ]+) ([^ ]+)$')
    add_connection(node, agent, socket)
    table.insert(touched, agent)
  end
end
local made = {}
for _, agent in ipairs(touched) do
  watch_presence(agent, now)
  refresh(agent)
  drain(agent, now, made)
end
return made
`;

/**
 * ARGV: prefix, now. One round of the presence sweep: the connections of
 * nodes whose lease ran out are dropped (starting their agents' grace), and
 * the agents whose grace is over with still no live connection are returned,
 * left in place until settleDisconnected (so a sweeper that dies before
 * recording them leaves them to the next round). Returns {agents, how much
 * presence state is left (0: nothing more to sweep)}.
 */
export const sweepScript = `${helpers}
local now = ARGV[2]
for _, node in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
  if redis.call('EXISTS', P .. 'node:' .. node) == 0 then
    local entries = redis.call('SMEMBERS', P .. 'node-conns:' .. node)
    for _, entry in ipairs(entries) do
      local agent, socket = string.match(entry, '^([^ ]+) ([^ ]+)$')
      drop_connection(node, agent, socket)
    end
    for _, entry in ipairs(entries) do
      local agent = string.match(entry, '^[^ ]+')
      watch_presence(agent, now)
      refresh(agent)
    end
  end
end
local expired = {}
for _, agent in ipairs(redis.call('ZRANGEBYSCORE', P .. 'disconnected', '-inf', now)) do
  if live(agent) then redis.call('ZREM', P .. 'disconnected', agent) else table.insert(expired, agent) end
end
return { expired, redis.call('SCARD', P .. 'nodes') + redis.call('ZCARD', P .. 'disconnected') }
`;

/**
 * ARGV: prefix, agentId, now. The durable status says the agent is away,
 * disconnected: Redis follows, unless a connection came back meanwhile
 * ('back': the caller restores the status). Returns 'away', 'back' or 'gone'.
 */
export const settleDisconnectedScript = `${helpers}
local agent = ARGV[2]
redis.call('ZREM', P .. 'disconnected', agent)
if redis.call('EXISTS', P .. 'agent:' .. agent) == 0 then return 'gone' end
if live(agent) then return 'back' end
redis.call('HSET', P .. 'agent:' .. agent, 'status', 'away')
redis.call('HDEL', P .. 'agent:' .. agent, 'guessed')
refresh(agent)
return 'away'
`;

/**
 * ARGV: prefix, mode, graceMs, now, then the tenant's agent ids. Sets how the
 * tenant's presence works and applies it to every agent at once: to manual,
 * agents without a connection may take sessions now; to connections, those
 * online without one start their grace.
 */
export const configurePresenceScript = `${helpers}
local mode, grace, now = ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', P .. 'presence', 'mode', mode, 'graceMs', grace)
if mode == 'manual' then redis.call('DEL', P .. 'disconnected') end
local made = {}
for i = 5, #ARGV do
  watch_presence(ARGV[i], now)
  refresh(ARGV[i])
  drain(ARGV[i], now, made)
end
return made
`;
