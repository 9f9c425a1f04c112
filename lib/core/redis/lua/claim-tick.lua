--[[
  claim-tick: fires one tick of a periodic entry, once, however many instances race for it: a compare-and-set of
  the entry's last tick, and the tick's job (id derived from entry and tick time) created in the same script.
  @keys 5
  KEYS[1] entry hash, KEYS[2] the tick's job hash, KEYS[3] ready list of the job name, KEYS[4] marker zset,
  KEYS[5] the previous tick's job hash (read for overlap 'skip'; the tick's job key when there is none)
  ARGV[1] tick time ms, ARGV[2] job id, ARGV[3] job name, ARGV[4] first args piece, ARGV[5] instance id,
  ARGV[6] overlap ('allow' | 'skip'), ARGV[7] the previous job id the caller read ('' if none),
  ARGV[8] earliest Redis time the tick may fire (ms; guards against a caller whose clock runs fast),
  ARGV[9] unique window ms (0 = none: a tick less than this long after the last *fired* tick is skipped),
  ARGV[10..] more job field/value pairs (args pieces, options)
  Reply: { 'FIRED', jobId, nowMs } | { 'TAKEN', lastJob, lastTick } (this tick or a later one already fired) |
         { 'SKIPPED', previousJob, nowMs } (overlap: the previous job is still unfinished; the tick counts as done) |
         { 'EARLY', nowMs } (Redis time is before the tick) | { 'STALE', lastJob } (the previous job changed: re-read)
  Commands when firing: TIME + HMGET + HSET entry + HSET job + LPUSH (+ ZADD marker) = 5-6.
]]
--- @include "now-ms"

local tick = tonumber(ARGV[1])
local now = nowMs()
if now < tonumber(ARGV[8]) then return { 'EARLY', now } end
local entry = redis.call('HMGET', KEYS[1], 'lastTick', 'lastJob', 'lastFiredTick')
local lastTick, lastJob, lastFiredTick = tonumber(entry[1]), entry[2] or '', tonumber(entry[3])
if lastTick and lastTick >= tick then return { 'TAKEN', lastJob, lastTick } end
if lastJob ~= ARGV[7] then return { 'STALE', lastJob } end
local window = tonumber(ARGV[9])
if window > 0 and lastFiredTick and tick < lastFiredTick + window then
  redis.call('HSET', KEYS[1], 'lastTick', tick, 'lastSkipped', tick)
  return { 'SKIPPED', lastJob, now }
end
if ARGV[6] == 'skip' and lastJob ~= '' then
  local s = redis.pcall('HGET', KEYS[5], 's')
  if s == 'q' or s == 's' or s == 'a' or s == 'r' then
    redis.call('HSET', KEYS[1], 'lastTick', tick, 'lastSkipped', tick)
    return { 'SKIPPED', lastJob, now }
  end
end
redis.call('HSET', KEYS[1], 'lastTick', tick, 'lastFiredTick', tick, 'lastJob', ARGV[2], 'lastBy', ARGV[5], 'lastFiredAt', now)
local extra = {}
for i = 10, #ARGV do extra[#extra + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], 'n', ARGV[3], 'a', ARGV[4], 't', now, 's', 'q', unpack(extra))
if redis.call('LPUSH', KEYS[3], ARGV[2]) == 1 then redis.call('ZADD', KEYS[4], 0, '0') end
return { 'FIRED', ARGV[2], now }
