-- Marks a job dead: state, error, fails, finishedAt; keeps the record for retentionMs (0 = delete it) and
-- lists it in the dead zset (score = expiry), trimming entries whose records have expired.
-- A record of the wrong type (corrupt) is replaced. 4-6 commands.
local function bury(jobKey, deadKey, id, errJson, fails, retentionMs, now)
  local kind = redis.call('TYPE', jobKey)['ok']
  if kind ~= 'hash' and kind ~= 'none' then redis.call('DEL', jobKey) end
  if retentionMs > 0 then
    redis.call('HSET', jobKey, 's', 'd', 'e', errJson, 'f', fails, 'ft', now)
    redis.call('PEXPIRE', jobKey, retentionMs)
    redis.call('ZADD', deadKey, now + retentionMs, id)
  else
    redis.call('DEL', jobKey)
  end
  redis.call('ZREMRANGEBYSCORE', deadKey, '-inf', now)
end
