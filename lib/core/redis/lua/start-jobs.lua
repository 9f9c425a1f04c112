--[[
  start-jobs: reads the records of just-claimed jobs and marks them active.
  @keys variadic
  KEYS: one job hash per job
  ARGV[1]: nowMs (from the claim reply)
  Reply: per job the record's fields and values joined by "\0" (names, ids and keys never hold control characters and
  JSON escapes them, so "\0" cannot occur in a value), '' if the record is gone, or 'WRONGTYPE' if the key is not a hash.
  One string per job instead of ~14 keeps the client's reply decoding cheap.
  A record that is already finished (s = c|d|x) is returned untouched, for the worker to drop.
  Commands per job: HGETALL + HSET = 2.
]]
local out = {}
for i, jobKey in ipairs(KEYS) do
  local r = redis.pcall('HGETALL', jobKey)
  if type(r) == 'table' and r['err'] then
    out[i] = 'WRONGTYPE'
  else
    local live = false
    for f = 1, #r, 2 do
      if r[f] == 's' then live = (r[f + 1] ~= 'c' and r[f + 1] ~= 'd' and r[f + 1] ~= 'x') end
    end
    if live then redis.call('HSET', jobKey, 's', 'a', 'st', ARGV[1]) end
    out[i] = table.concat(r, '\0')
  end
end
return out
