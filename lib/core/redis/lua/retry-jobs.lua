--[[
  retry-jobs: a batch of failed attempts of one name goes back to the schedule zset, due after its backoff.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] schedule zset, KEYS[3] marker zset, KEYS[4] minute stats bucket, KEYS[5] hour stats
  bucket; then 1 per job: job hash
  ARGV: 6 per job: lease member, errorJson, fails, delayMs, runMs, waitMs
  Reply: per job 'OK' or 'LOST'
  Commands: TIME + ZMSCORE + ZREM + ZADD marker + 4 (stats) per batch; HSET + ZADD per job.
]]
--- @include "now-ms"
--- @include "lease-owned"
--- @include "hset-record"
--- @include "record-stats"

local leaseKey, schedKey, markerKey = KEYS[1], KEYS[2], KEYS[3]
local members = {}
local W = 6
for j = 1, #ARGV / W do members[j] = ARGV[1 + (j - 1) * W] end
local owned, ownedMembers = leaseOwned(leaseKey, members)
local out = {}
if #ownedMembers > 0 then
  redis.call('ZREM', leaseKey, unpack(ownedMembers))
  local now = nowMs()
  local runSum, runMax, waitSum, waitMax = 0, 0, 0, 0
  for j = 1, #members do
    if owned[j] then
      local base = 1 + (j - 1) * W
      local id = leaseJobId(members[j])
      local due = now + tonumber(ARGV[base + 3])
      hsetRecord(KEYS[5 + j], 's', 'r', 'e', ARGV[base + 1], 'f', ARGV[base + 2], 'du', due)
      redis.call('ZADD', schedKey, due, id)
      local run, wait = tonumber(ARGV[base + 4]), tonumber(ARGV[base + 5])
      runSum, runMax, waitSum, waitMax = runSum + run, math.max(runMax, run), waitSum + wait, math.max(waitMax, wait)
    end
  end
  recordStats(KEYS[4], KEYS[5], 0, #ownedMembers, runSum, runMax, waitSum, waitMax)
  -- an idle worker re-arms its timer for the new due time
  redis.call('ZADD', markerKey, 0, '0')
end
for j = 1, #members do out[j] = owned[j] and 'OK' or 'LOST' end
return out
