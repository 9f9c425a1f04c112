-- Splits lease members ("<id>|<token>") into those still held (present in the lease zset) and those lost
-- (recovered by another worker, or released). 1 command (ZMSCORE) for the whole batch.
-- Returns: owned (array of booleans by index), ownedMembers (array of members).
local function leaseOwned(leaseKey, members)
  local owned, ownedMembers = {}, {}
  if #members == 0 then return owned, ownedMembers end
  local scores = redis.call('ZMSCORE', leaseKey, unpack(members))
  for i = 1, #members do
    if scores[i] then
      owned[i] = true
      ownedMembers[#ownedMembers + 1] = members[i]
    else
      owned[i] = false
    end
  end
  return owned, ownedMembers
end

-- The job id in a lease member "<id>|<token>" (ids never contain "|").
local function leaseJobId(member)
  return string.match(member, '^(.*)|[^|]*$')
end
