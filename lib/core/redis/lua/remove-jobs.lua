--[[
  remove-jobs: an operator's delete: jobs of one name that are not running are deleted with every index entry and
  the unique key they hold. An active job is left alone (cancel it first).
  @keys variadic
  KEYS[1] ready list, KEYS[2] schedule zset, KEYS[3] completed, KEYS[4] dead, KEYS[5] cancelled index zsets; then 2
  per job: job hash, the unique key the caller read from it (or the job key when none)
  ARGV[1] length of the job key prefix (the id follows it), ARGV[2] the job name
  Reply: per job 'OK' | 'ACTIVE' | 'NOT_FOUND' (no such job of that name)
  Commands per job: HMGET + ZREM ×4 + DEL (+ LREM when queued, GET/DEL unique).
]]
--- @include "release-unique"

local prefixLen, name = tonumber(ARGV[1]), ARGV[2]
local out = {}
for j = 6, #KEYS, 2 do
  local jobKey, uniqueKey = KEYS[j], KEYS[j + 1]
  local id = string.sub(jobKey, prefixLen + 1)
  local r = redis.pcall('HMGET', jobKey, 's', 'n', 'u')
  local s = type(r) == 'table' and not r['err'] and r[2] == name and r[1] or nil
  if not s then
    out[#out + 1] = 'NOT_FOUND'
  elseif s == 'a' then
    out[#out + 1] = 'ACTIVE'
  else
    if s == 'q' then redis.call('LREM', KEYS[1], 1, id) end
    for k = 2, 5 do redis.call('ZREM', KEYS[k], id) end
    if r[3] and r[3] == uniqueKey then releaseUnique(uniqueKey, id) end
    redis.call('DEL', jobKey)
    out[#out + 1] = 'OK'
  end
end
return out
