-- Frees a unique key if (and only if) it is still held by this job. A key of another type (corrupt) is left alone
-- rather than failing the script half-way. 2 commands.
local function releaseUnique(uniqueKey, id)
  if redis.pcall('GET', uniqueKey) == id then redis.call('DEL', uniqueKey) end
end
