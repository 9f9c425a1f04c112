-- Writes fields of a job record. A key of another type in its place (corrupt data) is replaced instead of failing
-- the script half-way. 1 command (3 when replacing).
local function hsetRecord(jobKey, ...)
  local r = redis.pcall('HSET', jobKey, ...)
  if type(r) == 'table' and r['err'] then
    redis.call('DEL', jobKey)
    redis.call('HSET', jobKey, ...)
  end
end
