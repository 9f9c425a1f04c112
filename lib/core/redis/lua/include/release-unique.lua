-- Frees a unique key if (and only if) it is still held by this job. 2 commands.
local function releaseUnique(uniqueKey, id)
  if redis.call('GET', uniqueKey) == id then redis.call('DEL', uniqueKey) end
end
