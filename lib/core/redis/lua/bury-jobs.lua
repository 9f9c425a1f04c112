--[[
  bury-jobs: moves a batch of jobs of one name to the dead set: out of retries, non-retryable, or corrupt.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] dead zset; then 2 per job: job hash, unique key (or the job key)
  ARGV[1] finished channel; then 5 per job: lease member, errorJson, fails, retentionMs, '1' if it holds a unique key
  Reply: per job 'OK' or 'LOST'
  Commands per job: ZSCORE + ZREM + TYPE + HSET + PEXPIRE + ZADD + ZREMRANGEBYSCORE (+ GET/DEL unique); TIME + SPUBLISH per batch.
]]
--- @include "now-ms"
--- @include "release-unique"
--- @include "bury"

local leaseKey, deadKey = KEYS[1], KEYS[2]
local now = nowMs()
local out, ids = {}, {}
for j = 1, (#ARGV - 1) / 5 do
  local base = 2 + (j - 1) * 5
  local member = ARGV[base]
  local id = string.match(member, '^(.*)|[^|]*$')
  if redis.call('ZREM', leaseKey, member) == 1 then
    local jobKey, uniqueKey = KEYS[1 + j * 2], KEYS[2 + j * 2]
    bury(jobKey, deadKey, id, ARGV[base + 1], ARGV[base + 2], tonumber(ARGV[base + 3]), now)
    if ARGV[base + 4] == '1' then releaseUnique(uniqueKey, id) end
    ids[#ids + 1] = id
    out[j] = 'OK'
  else
    out[j] = 'LOST'
  end
end
if #ids > 0 then redis.call('SPUBLISH', ARGV[1], table.concat(ids, ' ')) end
return out
