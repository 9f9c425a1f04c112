--[[
  forget-entries: deletes the state of periodic entries that no instance has registered since a cutoff (entries
  removed from code, once every instance has redeployed). Each entry's registration time is re-checked here, so an
  instance that registers it concurrently wins.
  @keys variadic
  KEYS[1] entries zset, then one entry hash per name
  ARGV[1] cutoff ms (registration time), then the entry names, in KEYS order
  Reply: the names forgotten
]]
local cutoff = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV do
  local seen = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if seen and tonumber(seen) < cutoff then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('DEL', KEYS[i])
    out[#out + 1] = ARGV[i]
  end
end
return out
