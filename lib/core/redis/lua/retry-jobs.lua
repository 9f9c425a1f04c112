--[[
  retry-jobs: a batch of failed attempts of one name goes back to the schedule zset, due after its backoff.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] schedule zset, KEYS[3] marker zset; then 1 per job: job hash
  ARGV: 4 per job: lease member, errorJson, fails, delayMs
  Reply: per job 'OK' or 'LOST'
  Commands: TIME + ZMSCORE + ZREM + ZADD marker per batch; HSET + ZADD per job.
]]
--- @include "now-ms"
--- @include "lease-owned"
--- @include "hset-record"

local leaseKey, schedKey, markerKey = KEYS[1], KEYS[2], KEYS[3]
local members = {}
for j = 1, #ARGV / 4 do members[j] = ARGV[1 + (j - 1) * 4] end
local owned, ownedMembers = leaseOwned(leaseKey, members)
local out = {}
if #ownedMembers > 0 then
  redis.call('ZREM', leaseKey, unpack(ownedMembers))
  local now = nowMs()
  for j = 1, #members do
    if owned[j] then
      local base = 1 + (j - 1) * 4
      local id = leaseJobId(members[j])
      hsetRecord(KEYS[3 + j], 's', 'r', 'e', ARGV[base + 1], 'f', ARGV[base + 2])
      redis.call('ZADD', schedKey, now + tonumber(ARGV[base + 3]), id)
    end
  end
  -- an idle worker re-arms its timer for the new due time
  redis.call('ZADD', markerKey, 0, '0')
end
for j = 1, #members do out[j] = owned[j] and 'OK' or 'LOST' end
return out
