-- Redis server time in whole ms: the one clock every instance agrees on. 1 command (TIME).
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
