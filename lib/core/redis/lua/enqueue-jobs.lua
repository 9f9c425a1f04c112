--[[
  enqueue-jobs: writes a batch of new jobs, each atomically accepted or refused.
  @keys variadic
  KEYS: M name groups of 3 (ready list, schedule zset, marker zset), then one job hash per job, then the unique keys
  (and stale holders' records) some jobs take, then last the set of job names (a name is added when its marker is
  touched, i.e. when its queue was empty: not per job)
  ARGV[1] M (number of name groups), ARGV[2] length of the job key prefix (the id follows it); then per job:
    spec "<name index>,<enqueuedAtMs>,<mode>,<modeValue>,<flags>,<unique key index or empty>,<stale holder key index
    or empty>,<n>", the name,
    the first args piece, then n field/value pairs (more args pieces, per-job options, `tp` trace context if traced)
    mode: 'n' now (ready list) | 'd' delay ms (schedule, Redis clock) | 'a' at ms | 'p' priority (schedule, score -p)
    flags: 'i' to check for a live job with this custom id, '-' for none
    stale holder: the record of the job an earlier call found holding the unique key; if the key is still held by
    that job and it is no longer live (gone, finished, corrupt), this job takes the key over (self-healing: a key
    whose holder vanished outside the state machine never blocks enqueues for good)
  (Compact on purpose: the name's keys once per batch, not once per job.)
  Reply: per job two entries: status ('OK' | 'DUPLICATE_ID' | 'DUPLICATE_UNIQUE') and detail
    (OK: due ms or ''; DUPLICATE_*: id of the job holding the id or key)
  Commands per job, common path (auto id, run now): HSET + LPUSH = 2, plus ZADD marker + SADD name when the list was
  empty.
]]
--- @include "now-ms"
--- @include "is-live"

local m, prefixLen = tonumber(ARGV[1]), tonumber(ARGV[2])
local namesKey = KEYS[#KEYS]
local seen = {}
local function wake(markerKey, name)
  redis.call('ZADD', markerKey, 0, '0')
  if not seen[name] then
    seen[name] = true
    redis.call('SADD', namesKey, name)
  end
end
local out = {}
local a = 3
local j = 0
local now
while a <= #ARGV do
  j = j + 1
  local jobKey = KEYS[3 * m + j]
  local id = string.sub(jobKey, prefixLen + 1)
  local g, enqueuedAt, mode, modeValue, flags, u, h, n = string.match(ARGV[a], '^(%d+),(%d+),(%a),([%d.]*),(%S+),(%d*),(%d*),(%d+)$')
  local readyKey, schedKey, markerKey = KEYS[g * 3 + 1], KEYS[g * 3 + 2], KEYS[g * 3 + 3]
  local name, args = ARGV[a + 1], ARGV[a + 2]
  n = tonumber(n)
  local extra = {}
  for i = 1, n * 2 do extra[i] = ARGV[a + 2 + i] end
  a = a + 3 + n * 2

  local status, detail = 'OK', ''
  if flags == 'i' then
    local s = redis.pcall('HGET', jobKey, 's')
    if isLive(s) then
      status, detail = 'DUPLICATE_ID', id
    elseif s ~= false then
      redis.call('DEL', jobKey) -- a finished (or corrupt) record with this id is replaced
    end
  end
  if status == 'OK' and u ~= '' then
    local uniqueKey = KEYS[3 * m + tonumber(u)]
    if not redis.call('SET', uniqueKey, id, 'NX') then
      local holder = redis.pcall('GET', uniqueKey)
      local stale = type(holder) ~= 'string' or holder == '' -- a key of another type, or empty: corrupt, nobody holds it
      if not stale and h ~= '' then
        local holderKey = KEYS[3 * m + tonumber(h)]
        stale = string.sub(holderKey, prefixLen + 1) == holder and not isLive(redis.pcall('HGET', holderKey, 's'))
      end
      if stale then
        redis.call('DEL', uniqueKey)
        redis.call('SET', uniqueKey, id)
      else
        status, detail = 'DUPLICATE_UNIQUE', holder
      end
    end
  end
  if status == 'OK' then
    local state, due = 'q', nil
    if mode == 'd' then
      now = now or nowMs()
      due, state = now + tonumber(modeValue), 's'
    elseif mode == 'a' then
      due, state = tonumber(modeValue), 's'
    end
    if due then
      extra[#extra + 1] = 'du'
      extra[#extra + 1] = due
    end
    redis.call('HSET', jobKey, 'n', name, 'a', args, 't', enqueuedAt, 's', state, unpack(extra))
    if mode == 'n' then
      if redis.call('LPUSH', readyKey, id) == 1 then wake(markerKey, name) end
    elseif mode == 'p' then
      redis.call('ZADD', schedKey, -tonumber(modeValue), id)
      wake(markerKey, name)
    else
      redis.call('ZADD', schedKey, due, id)
      -- wake one idle worker only if this job is now the earliest, so it re-arms its timer
      if redis.call('ZRANGE', schedKey, 0, 0)[1] == id then wake(markerKey, name) end
      detail = due
    end
  end
  out[#out + 1] = status
  out[#out + 1] = detail
end
return out
