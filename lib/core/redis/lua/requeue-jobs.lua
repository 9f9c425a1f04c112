--[[
  requeue-jobs: an operator's retry: dead, cancelled, retrying and scheduled jobs of one name go to the front of its
  ready list to run now, their failed attempts kept. Queued, active and completed ones are left alone.
  @keys variadic
  KEYS[1] ready list, KEYS[2] schedule zset, KEYS[3] marker zset, KEYS[4] dead index zset, KEYS[5] cancelled index
  zset; then one job hash per job
  ARGV[1] length of the job key prefix (the id follows it), ARGV[2] the job name
  Reply: per job 'OK' | 'NOOP' | 'NOT_FOUND' (no such job of that name)
]]
local prefixLen, name = tonumber(ARGV[1]), ARGV[2]
local out, moved = {}, 0
for j = 6, #KEYS do
  local jobKey = KEYS[j]
  local id = string.sub(jobKey, prefixLen + 1)
  local r = redis.pcall('HMGET', jobKey, 's', 'n')
  local s = type(r) == 'table' and not r['err'] and r[2] == name and r[1] or nil
  if not s then
    out[#out + 1] = 'NOT_FOUND'
  elseif s == 'd' or s == 'x' or s == 'r' or s == 's' then
    if s == 'd' then redis.call('ZREM', KEYS[4], id) elseif s == 'x' then redis.call('ZREM', KEYS[5], id) else redis.call('ZREM', KEYS[2], id) end
    redis.call('HSET', jobKey, 's', 'q')
    redis.call('HDEL', jobKey, 'ft', 'du')
    redis.call('PERSIST', jobKey)
    redis.call('RPUSH', KEYS[1], id)
    moved = moved + 1
    out[#out + 1] = 'OK'
  else
    out[#out + 1] = 'NOOP'
  end
end
if moved > 0 then redis.call('ZADD', KEYS[3], 0, '0') end
return out
