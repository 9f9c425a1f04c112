--[[
  extend-leases: renews the leases a worker still holds on running jobs of one name (heartbeat).
  @keys 1
  KEYS[1] lease zset
  ARGV[1] leaseMs, ARGV[2..] lease members
  Reply: per member 1 (renewed) or 0 (lost: recovered by another worker)
  Commands per call: TIME + ZMSCORE + ZADD XX.
]]
--- @include "now-ms"
--- @include "lease-owned"

local leaseKey = KEYS[1]
local members = {}
for i = 2, #ARGV do members[#members + 1] = ARGV[i] end
local owned, ownedMembers = leaseOwned(leaseKey, members)
if #ownedMembers > 0 then
  local deadline = nowMs() + tonumber(ARGV[1])
  local args = {}
  for _, m in ipairs(ownedMembers) do
    args[#args + 1] = deadline
    args[#args + 1] = m
  end
  redis.call('ZADD', leaseKey, 'XX', unpack(args))
end
local out = {}
for i = 1, #members do out[i] = owned[i] and 1 or 0 end
return out
