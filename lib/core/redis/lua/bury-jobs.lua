--[[
  bury-jobs: moves a batch of jobs of one name to the dead set: out of retries, non-retryable, or corrupt.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] dead index zset of the name, KEYS[3] minute stats bucket, KEYS[4] hour stats bucket;
  then 2 per job: job hash, unique key (or the job key)
  ARGV[1] finished channel; then 7 per job: lease member, errorJson, fails, retentionMs, '1' if it holds a unique key,
  runMs, waitMs
  Reply: per job 'OK' or 'LOST'
  Commands per job: ZREM + TYPE + HSET + PEXPIRE + ZADD + ZREMRANGEBYSCORE (+ GET/DEL unique); TIME + SPUBLISH + 4
  (stats) per batch.
]]
--- @include "now-ms"
--- @include "release-unique"
--- @include "bury"
--- @include "record-stats"

local leaseKey, deadKey = KEYS[1], KEYS[2]
local now = nowMs()
local out, ids = {}, {}
local W = 7
local runSum, runMax, waitSum, waitMax = 0, 0, 0, 0
for j = 1, (#ARGV - 1) / W do
  local base = 2 + (j - 1) * W
  local member = ARGV[base]
  local id = string.match(member, '^(.*)|[^|]*$')
  if redis.call('ZREM', leaseKey, member) == 1 then
    local jobKey, uniqueKey = KEYS[3 + j * 2], KEYS[4 + j * 2]
    bury(jobKey, deadKey, id, ARGV[base + 1], ARGV[base + 2], tonumber(ARGV[base + 3]), now)
    if ARGV[base + 4] == '1' then releaseUnique(uniqueKey, id) end
    ids[#ids + 1] = id
    local run, wait = tonumber(ARGV[base + 5]), tonumber(ARGV[base + 6])
    runSum, runMax, waitSum, waitMax = runSum + run, math.max(runMax, run), waitSum + wait, math.max(waitMax, wait)
    out[j] = 'OK'
  else
    out[j] = 'LOST'
  end
end
if #ids > 0 then
  redis.call('SPUBLISH', ARGV[1], table.concat(ids, ' '))
  recordStats(KEYS[3], KEYS[4], 0, #ids, runSum, runMax, waitSum, waitMax)
end
return out
