--[[
  claim-jobs: leases up to `room` runnable jobs per name for one worker: due or prioritised jobs from the
  schedule zset first, then the ready list (FIFO). Enforces each name's cluster-wide cap (lease count) and skips
  paused names.
  Reads no job record (their keys are not known before the pop): start-jobs does that with declared keys.
  @keys variadic
  KEYS (4 per name): ready list, schedule zset, lease zset, marker zset; then last the set of paused names
  ARGV: token, leaseMs, totalRoom, then per name: room, cap (0 = none), name
  Reply: { nowMs, then per name: {ids...}, nextDueMs or '' }
  Commands per batch: TIME + SMISMEMBER paused; per name: ZRANGEBYSCORE + RPOP + ZADD lease + ZRANGE (+ ZREM, ZCARD, LLEN, ZADD marker
  when needed); none per job.
]]
--- @include "now-ms"

local token, leaseMs, total = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = nowMs()
local deadline = now + leaseMs
local out = { now }
local n = (#KEYS - 1) / 4
local names = {}
for i = 0, n - 1 do names[i + 1] = ARGV[6 + i * 3] end
local paused = redis.call('SMISMEMBER', KEYS[#KEYS], unpack(names))
for i = 0, n - 1 do
  local readyKey, schedKey, leaseKey, markerKey = KEYS[i * 4 + 1], KEYS[i * 4 + 2], KEYS[i * 4 + 3], KEYS[i * 4 + 4]
  local room = math.min(total, tonumber(ARGV[4 + i * 3]))
  if paused[i + 1] == 1 then room = 0 end
  local cap = tonumber(ARGV[5 + i * 3])
  if cap > 0 and room > 0 then room = math.min(room, cap - redis.call('ZCARD', leaseKey)) end
  local ids = {}
  if room > 0 then
    local due = redis.call('ZRANGEBYSCORE', schedKey, '-inf', now, 'LIMIT', 0, room)
    if #due > 0 then
      redis.call('ZREM', schedKey, unpack(due))
      for _, id in ipairs(due) do ids[#ids + 1] = id end
    end
    if #ids < room then
      local popped = redis.call('RPOP', readyKey, room - #ids)
      if popped then
        for _, id in ipairs(popped) do ids[#ids + 1] = id end
      end
    end
    if #ids > 0 then
      local leases = {}
      for _, id in ipairs(ids) do
        leases[#leases + 1] = deadline
        leases[#leases + 1] = id .. '|' .. token
      end
      redis.call('ZADD', leaseKey, unpack(leases))
      total = total - #ids
    end
  end
  local first = redis.call('ZRANGE', schedKey, 0, 0, 'WITHSCORES')
  local nextDue = first[2] or ''
  -- filled our room: more may be waiting, so pass the wake-up on to another idle worker
  if room > 0 and #ids == room then
    if redis.call('LLEN', readyKey) > 0 or (nextDue ~= '' and tonumber(nextDue) <= now) then
      redis.call('ZADD', markerKey, 0, '0')
    end
  end
  out[#out + 1] = ids
  out[#out + 1] = nextDue
end
return out
