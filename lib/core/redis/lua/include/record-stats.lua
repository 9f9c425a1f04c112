-- Adds one batch's figures to a job name's stats: a minute bucket (kept 25 h) and an hour bucket (kept 31 days), each
-- one string "processed,failed,runSum,runMax,waitSum,waitMax" (ms). Memory: at most 1,500 minute and 744 hour
-- buckets per job name, each under 200 bytes with its key and expiry (test/core/inspector.spec.ts). 4 commands (GET + SET per bucket), once per batch, never per job.
local function recordStats(minuteKey, hourKey, processed, failed, runSum, runMax, waitSum, waitMax)
  for i, key in ipairs({ minuteKey, hourKey }) do
    local a = { 0, 0, 0, 0, 0, 0 }
    local cur = redis.pcall('GET', key)
    if type(cur) == 'string' then
      local k = 1
      for v in string.gmatch(cur, '[^,]+') do
        a[k] = tonumber(v) or 0
        k = k + 1
      end
    end
    a[1], a[2], a[3] = a[1] + processed, a[2] + failed, a[3] + runSum
    a[4], a[5], a[6] = math.max(a[4], runMax), a[5] + waitSum, math.max(a[6], waitMax)
    redis.call('SET', key, string.format('%d,%d,%d,%d,%d,%d', a[1], a[2], a[3], a[4], a[5], a[6]), 'PX', i == 1 and 90000000 or 2678400000)
  end
end
