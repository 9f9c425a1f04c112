--[[
  recover-jobs: jobs whose lease expired (worker killed or frozen) count one failed attempt and go back to the
  front of the ready list to run again at once, or to the dead set if that was their last allowed attempt.
  Each lease is re-checked here, so racing recoverers and late renewals are safe.
  @keys variadic
  KEYS[1] lease zset, KEYS[2] ready list, KEYS[3] marker zset, KEYS[4] dead index zset of the name; then 2 per job: job hash, unique key (or the job key)
  ARGV[1] finished channel, ARGV[2] default maxFails, ARGV[3] default retentionMs; then per job: lease member
  Reply: per job 'REQUEUED' | 'DEAD' | 'GONE' (record missing) | 'SKIPPED' (lease renewed or already recovered)
]]
--- @include "now-ms"
--- @include "release-unique"
--- @include "bury"

local leaseKey, readyKey, markerKey, deadKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = nowMs()
local out, dead, requeued = {}, {}, 0
for j = 1, #ARGV - 3 do
  local member = ARGV[3 + j]
  local jobKey, uniqueKey = KEYS[3 + j * 2], KEYS[4 + j * 2]
  local score = redis.call('ZSCORE', leaseKey, member)
  if score and tonumber(score) <= now then
    redis.call('ZREM', leaseKey, member)
    local id = string.match(member, '^(.*)|[^|]*$')
    local r = redis.pcall('HMGET', jobKey, 's', 'f', 'mf', 'rt', 'u')
    if type(r) ~= 'table' or r['err'] or not r[1] then
      out[j] = 'GONE'
    else
      local fails = (tonumber(r[2]) or 0) + 1
      local maxFails = tonumber(r[3]) or tonumber(ARGV[2])
      local err = cjson.encode({ name = 'LeaseExpiredError', attempt = fails,
        message = 'The worker running this attempt stopped renewing its lease (killed, crashed or frozen)' })
      if fails >= maxFails then
        bury(jobKey, deadKey, id, err, fails, tonumber(r[4]) or tonumber(ARGV[3]), now)
        -- only the key the caller read and declared: a record that gained another one meanwhile keeps it (an
        -- undeclared key must not be touched; the key heals itself once its holder is dead)
        if r[5] and r[5] == uniqueKey then releaseUnique(uniqueKey, id) end
        dead[#dead + 1] = id
        out[j] = 'DEAD'
      else
        redis.call('HSET', jobKey, 's', 'q', 'e', err, 'f', fails) -- HMGET above proved it is a hash
        redis.call('RPUSH', readyKey, id)
        requeued = requeued + 1
        out[j] = 'REQUEUED'
      end
    end
  else
    out[j] = 'SKIPPED'
  end
end
if requeued > 0 then redis.call('ZADD', markerKey, 0, '0') end
if #dead > 0 then redis.call('SPUBLISH', ARGV[1], table.concat(dead, ' ')) end
return out
