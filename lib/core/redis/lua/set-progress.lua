--[[
  set-progress: stores a running job's progress, if its lease is still held.
  @keys 2
  KEYS[1] lease zset, KEYS[2] job hash
  ARGV[1] lease member, ARGV[2] progress JSON
  Reply: 'OK' or 'LOST'
]]
--- @include "hset-record"

if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  hsetRecord(KEYS[2], 'p', ARGV[2])
  return 'OK'
end
return 'LOST'
