--[[
  complete-jobs: records the results of a batch of finished jobs of one name, if their leases are still held.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] marker zset, KEYS[3] completed index zset of the name, KEYS[4] its minute stats bucket,
  KEYS[5] its hour stats bucket, then one job hash per job, then the unique keys some jobs hold
  ARGV[1] finished channel, ARGV[2] '1' to wake a worker (capped names: the cap just freed),
  ARGV[3] default retentionMs, ARGV[4] length of the job key prefix (the id follows it), ARGV[5] the batch's run and
  wait times "runSum,runMax,waitSum,waitMax" (ms; for the stats; a rare LOST attempt counts there too), ARGV[6] T = number of claim tokens, ARGV[7..6+T]
  the tokens; then 2 per job: spec and resultJson. The spec is "<token index>" for a job with the default retention
  and no unique key (the usual case, read with one tonumber), else "<token index>,<retentionMs or empty>,<unique key
  index or empty>". (Compact on purpose: 2 strings per job on the wire, and little Lua string work per job.)
  Reply: per job 'OK' or 'LOST' (lease gone: another worker owns the job now, or it was cancelled; nothing written)
  Commands per batch: ZMSCORE + ZREM + SPUBLISH + 4 (stats) (+ TIME, ZADD + ZREMRANGEBYSCORE index if kept, + DEL if
  retention 0); per job: HSET + PEXPIRE when kept.
]]
--- @include "now-ms"
--- @include "lease-owned"
--- @include "release-unique"
--- @include "hset-record"
--- @include "record-stats"

local leaseKey, markerKey, indexKey = KEYS[1], KEYS[2], KEYS[3]
local defaultRetention, prefixLen, nTokens = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[6])
local runSum, runMax, waitSum, waitMax = string.match(ARGV[5], '^(%d+),(%d+),(%d+),(%d+)$')
local base = 7 + nTokens
local n = (#ARGV - base + 1) / 2
local first = 5 -- KEYS[first + j] is job j's hash
local members, ids, retention, uniq = {}, {}, {}, {}
for j = 1, n do
  local spec = ARGV[base + (j - 1) * 2]
  local t, r, u = tonumber(spec), '', ''
  if not t then
    t, r, u = string.match(spec, '^(%d+),(%d*),(%d*)$')
    t = tonumber(t)
  end
  ids[j] = string.sub(KEYS[first + j], prefixLen + 1)
  members[j] = ids[j] .. '|' .. ARGV[6 + t + 1]
  retention[j] = r == '' and defaultRetention or tonumber(r)
  uniq[j] = u ~= '' and KEYS[first + n + tonumber(u)] or nil
end
local owned, ownedMembers = leaseOwned(leaseKey, members)
if #ownedMembers > 0 then redis.call('ZREM', leaseKey, unpack(ownedMembers)) end
local out, done, del, index = {}, {}, {}, {}
local now
for j = 1, n do
  if owned[j] then
    local jobKey = KEYS[first + j]
    if retention[j] > 0 then
      now = now or nowMs()
      hsetRecord(jobKey, 's', 'c', 'r', ARGV[base + (j - 1) * 2 + 1], 'ft', now)
      redis.call('PEXPIRE', jobKey, retention[j])
      index[#index + 1] = now + retention[j]
      index[#index + 1] = ids[j]
    else
      del[#del + 1] = jobKey
    end
    if uniq[j] then releaseUnique(uniq[j], ids[j]) end
    done[#done + 1] = ids[j]
    out[j] = 'OK'
  else
    out[j] = 'LOST'
  end
end
if #del > 0 then redis.call('DEL', unpack(del)) end
if #index > 0 then
  redis.call('ZADD', indexKey, unpack(index))
  redis.call('ZREMRANGEBYSCORE', indexKey, '-inf', now)
end
if #done > 0 then
  redis.call('SPUBLISH', ARGV[1], table.concat(done, ' '))
  recordStats(KEYS[4], KEYS[5], #done, 0, tonumber(runSum), tonumber(runMax), tonumber(waitSum), tonumber(waitMax))
end
if ARGV[2] == '1' and #done > 0 then redis.call('ZADD', markerKey, 0, '0') end
return out
