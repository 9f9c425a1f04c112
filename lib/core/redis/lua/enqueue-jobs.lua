--[[
  enqueue-jobs: writes a batch of new jobs, each atomically accepted or refused.
  @keys variadic
  KEYS (5 per job): job hash, ready list, schedule zset, marker zset, unique key (the job key when not unique)
  ARGV (per job, 8 + 2n): id, name, argsJson, enqueuedAtMs, mode, modeValue, flags, n, then n field/value pairs
    mode: 'n' now (ready list) | 'd' delay ms (schedule, Redis clock) | 'a' at ms | 'p' priority (schedule, score -p)
    flags: contains 'i' to check for a live job with a custom id, 'u' to take the unique key
  Reply: per job two entries: status ('OK' | 'DUPLICATE_ID' | 'DUPLICATE_UNIQUE') and detail
    (OK: due ms or ''; DUPLICATE_*: id of the job holding the id or key)
  Commands per job, common path (auto id, run now): HSET + LPUSH = 2, plus ZADD marker when the list was empty.
]]
--- @include "now-ms"

local out = {}
local a = 1
local now
for k = 1, #KEYS, 5 do
  local jobKey, readyKey, schedKey, markerKey, uniqueKey = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
  local id, name, args, enqueuedAt = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local mode, modeValue, flags, n = ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], tonumber(ARGV[a + 7])
  local extra = {}
  for i = 1, n * 2 do extra[i] = ARGV[a + 7 + i] end
  a = a + 8 + n * 2

  local status, detail = 'OK', ''
  if string.find(flags, 'i', 1, true) then
    local s = redis.pcall('HGET', jobKey, 's')
    if s == 'q' or s == 's' or s == 'a' or s == 'r' then
      status, detail = 'DUPLICATE_ID', id
    elseif s ~= false then
      redis.call('DEL', jobKey) -- a finished (or corrupt) record with this id is replaced
    end
  end
  if status == 'OK' and string.find(flags, 'u', 1, true) then
    if not redis.call('SET', uniqueKey, id, 'NX') then
      status, detail = 'DUPLICATE_UNIQUE', redis.call('GET', uniqueKey) or ''
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
    redis.call('HSET', jobKey, 'n', name, 'a', args, 't', enqueuedAt, 's', state, unpack(extra))
    if mode == 'n' then
      if redis.call('LPUSH', readyKey, id) == 1 then redis.call('ZADD', markerKey, 0, '0') end
    elseif mode == 'p' then
      redis.call('ZADD', schedKey, -tonumber(modeValue), id)
      redis.call('ZADD', markerKey, 0, '0')
    else
      redis.call('ZADD', schedKey, due, id)
      -- wake one idle worker only if this job is now the earliest, so it re-arms its timer
      if redis.call('ZRANGE', schedKey, 0, 0)[1] == id then redis.call('ZADD', markerKey, 0, '0') end
      detail = due
    end
  end
  out[#out + 1] = status
  out[#out + 1] = detail
end
return out
