--[[
  complete-jobs: records the results of a batch of finished jobs of one name, if their leases are still held.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] ready list, KEYS[3] marker zset; then 2 per job: job hash, unique key (or the job key)
  ARGV[1] finished channel, ARGV[2] '1' to wake a worker (capped names: the cap just freed);
  then 4 per job: lease member, resultJson, retentionMs, '1' if the job holds a unique key
  Reply: per job 'OK' or 'LOST' (lease gone: another worker owns the job now; nothing written)
  Commands per batch: ZMSCORE + ZREM + SPUBLISH (+ TIME if kept, + DEL if retention 0); per job: HSET + PEXPIRE when kept.
]]
--- @include "now-ms"
--- @include "lease-owned"
--- @include "release-unique"

local leaseKey, readyKey, markerKey = KEYS[1], KEYS[2], KEYS[3]
local members = {}
for j = 1, (#ARGV - 2) / 4 do members[j] = ARGV[3 + (j - 1) * 4] end
local owned, ownedMembers = leaseOwned(leaseKey, members)
if #ownedMembers > 0 then redis.call('ZREM', leaseKey, unpack(ownedMembers)) end
local out, ids, del = {}, {}, {}
local now
for j = 1, #members do
  if owned[j] then
    local jobKey, uniqueKey = KEYS[2 + j * 2], KEYS[3 + j * 2]
    local base = 3 + (j - 1) * 4
    local result, retentionMs = ARGV[base + 1], tonumber(ARGV[base + 2])
    local id = leaseJobId(members[j])
    if retentionMs > 0 then
      now = now or nowMs()
      redis.call('HSET', jobKey, 's', 'c', 'r', result, 'ft', now)
      redis.call('PEXPIRE', jobKey, retentionMs)
    else
      del[#del + 1] = jobKey
    end
    if ARGV[base + 3] == '1' then releaseUnique(uniqueKey, id) end
    ids[#ids + 1] = id
    out[j] = 'OK'
  else
    out[j] = 'LOST'
  end
end
if #del > 0 then redis.call('DEL', unpack(del)) end
if #ids > 0 then redis.call('SPUBLISH', ARGV[1], table.concat(ids, ' ')) end
-- a capped name freed slots: wake a worker that may have been held back by the cap
if ARGV[2] == '1' and #ids > 0 then redis.call('ZADD', markerKey, 0, '0') end
return out
