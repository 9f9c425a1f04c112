--[[
  find-expired: lists expired leases (their worker stopped renewing) and the earliest live deadline, per name.
  Read-only; recover-jobs then acts on them with declared keys.
  @keys variadic
  KEYS: one lease zset per name
  ARGV[1]: most members to return per name
  Reply: { nowMs, then per name: {expired members...}, earliest deadline ms or '' }
]]
--- @include "now-ms"

local now = nowMs()
local out = { now }
for _, leaseKey in ipairs(KEYS) do
  out[#out + 1] = redis.call('ZRANGEBYSCORE', leaseKey, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
  local first = redis.call('ZRANGE', leaseKey, 0, 0, 'WITHSCORES')
  out[#out + 1] = first[2] or ''
end
return out
