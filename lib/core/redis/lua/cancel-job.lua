--[[
  cancel-job: cancels one job, from any process. A waiting job (queued, scheduled, retrying) leaves its queue; an
  active one loses its lease, so whatever its worker records later is refused (LOST), and is announced on the cancel
  channel, so the worker running it aborts its signal. Either way it ends cancelled (x), kept for its retention and
  listed in the name's cancelled index, and its unique key is released.
  @keys 6
  KEYS[1] job hash, KEYS[2] ready list, KEYS[3] schedule zset, KEYS[4] lease zset, KEYS[5] cancelled index zset,
  KEYS[6] the unique key the caller read from the record (or the job key when none)
  ARGV[1] job id, ARGV[2] job name (the caller's keys are this name's), ARGV[3] default retention ms,
  ARGV[4] finished channel, ARGV[5] cancel channel, ARGV[6] error JSON
  Reply: 'CANCELLED' | 'FINISHED' (completed, dead or cancelled already: nothing changed) | 'NOT_FOUND' (no such job
  of that name)
]]
--- @include "now-ms"
--- @include "release-unique"

local jobKey, id = KEYS[1], ARGV[1]
local r = redis.pcall('HMGET', jobKey, 's', 'n', 'u', 'rt')
if type(r) ~= 'table' or r['err'] or not r[1] or r[2] ~= ARGV[2] then return 'NOT_FOUND' end
local s = r[1]
if s == 'c' or s == 'd' or s == 'x' then return 'FINISHED' end
if s == 'a' then
  -- its lease member is "<id>|<claim token>"; the lease zset holds only running jobs, so a scan of it stays small
  local prefix, held = id .. '|', {}
  for _, m in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
    if string.sub(m, 1, #prefix) == prefix then held[#held + 1] = m end
  end
  if #held > 0 then
    redis.call('ZREM', KEYS[4], unpack(held))
    redis.call('SPUBLISH', ARGV[5], id)
  end
else
  redis.call('ZREM', KEYS[3], id)
  if s == 'q' then redis.call('LREM', KEYS[2], 1, id) end
end
local now = nowMs()
local retention = tonumber(r[4]) or tonumber(ARGV[3])
if retention > 0 then
  redis.call('HSET', jobKey, 's', 'x', 'ft', now, 'e', ARGV[6])
  redis.call('PEXPIRE', jobKey, retention)
  redis.call('ZADD', KEYS[5], now + retention, id)
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
else
  redis.call('DEL', jobKey)
end
if r[3] and r[3] == KEYS[6] then releaseUnique(KEYS[6], id) end
redis.call('SPUBLISH', ARGV[4], id)
return 'CANCELLED'
