--[[
  complete-jobs: records the results of a batch of finished jobs of one name, if their leases are still held.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] marker zset, then one job hash per job, then the unique keys some jobs hold
  ARGV[1] finished channel, ARGV[2] '1' to wake a worker (capped names: the cap just freed),
  ARGV[3] default retentionMs, ARGV[4] length of the job key prefix (the id follows it), ARGV[5] T = number of claim
  tokens, ARGV[6..5+T] the tokens; then 2 per job: spec "<token index>,<retentionMs or empty>,<unique key index or empty>"
  and resultJson. (Compact on purpose: 3 strings per job on the wire instead of 6.)
  Reply: per job 'OK' or 'LOST' (lease gone: another worker owns the job now; nothing written)
  Commands per batch: ZMSCORE + ZREM + SPUBLISH (+ TIME if kept, + DEL if retention 0); per job: HSET + PEXPIRE when kept.
]]
--- @include "now-ms"
--- @include "lease-owned"
--- @include "release-unique"
--- @include "hset-record"

local leaseKey, markerKey = KEYS[1], KEYS[2]
local defaultRetention, prefixLen, nTokens = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local base = 6 + nTokens
local n = (#ARGV - base + 1) / 2
local members, ids, retention, uniq = {}, {}, {}, {}
for j = 1, n do
  local t, r, u = string.match(ARGV[base + (j - 1) * 2], '^(%d+),(%d*),(%d*)$')
  ids[j] = string.sub(KEYS[2 + j], prefixLen + 1)
  members[j] = ids[j] .. '|' .. ARGV[5 + tonumber(t) + 1]
  retention[j] = r == '' and defaultRetention or tonumber(r)
  uniq[j] = u ~= '' and KEYS[2 + n + tonumber(u)] or nil
end
local owned, ownedMembers = leaseOwned(leaseKey, members)
if #ownedMembers > 0 then redis.call('ZREM', leaseKey, unpack(ownedMembers)) end
local out, done, del = {}, {}, {}
local now
for j = 1, n do
  if owned[j] then
    local jobKey = KEYS[2 + j]
    if retention[j] > 0 then
      now = now or nowMs()
      hsetRecord(jobKey, 's', 'c', 'r', ARGV[base + (j - 1) * 2 + 1], 'ft', now)
      redis.call('PEXPIRE', jobKey, retention[j])
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
if #done > 0 then redis.call('SPUBLISH', ARGV[1], table.concat(done, ' ')) end
if ARGV[2] == '1' and #done > 0 then redis.call('ZADD', markerKey, 0, '0') end
return out
