--[[
  release-jobs: hands still-running jobs back to the front of the ready list (graceful shutdown past its
  drain timeout). Not counted as a failure. Jobs whose record is gone or finished only lose their lease.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] ready list, KEYS[3] marker zset; then 1 per job: job hash
  ARGV: lease members
  Reply: per job 'OK' or 'LOST'
]]
--- @include "lease-owned"
--- @include "is-live"

local leaseKey, readyKey, markerKey = KEYS[1], KEYS[2], KEYS[3]
local owned, ownedMembers = leaseOwned(leaseKey, ARGV)
local out = {}
if #ownedMembers > 0 then
  redis.call('ZREM', leaseKey, unpack(ownedMembers))
  for j = 1, #ARGV do
    if owned[j] then
      local s = redis.pcall('HGET', KEYS[3 + j], 's')
      if isLive(s) then
        redis.call('HSET', KEYS[3 + j], 's', 'q')
        redis.call('RPUSH', readyKey, leaseJobId(ARGV[j]))
      end
    end
  end
  redis.call('ZADD', markerKey, 0, '0')
end
for j = 1, #ARGV do out[j] = owned[j] and 'OK' or 'LOST' end
return out
