--[[
  claim-tick: fires one tick of a periodic entry, once, however many instances race for it: a compare-and-set of
  the entry's last tick, and the tick's job (id derived from entry and tick time) created in the same script.
  A tick claimed ahead of its time (up to the caller's lead, see ARGV[8]) creates its job scheduled at the tick, so
  the workers' due timers start it on time whatever the claim's round trips cost; a late or on-time tick's job is
  queued at once.
  @keys 8
  KEYS[1] entry hash, KEYS[2] the tick's job hash, KEYS[3] ready list of the job name, KEYS[4] marker zset,
  KEYS[5] the previous tick's job hash (read for overlap 'skip'; the tick's job key when there is none),
  KEYS[6] schedule zset of the job name, KEYS[7] set of job names, KEYS[8] the entry's tick history list
  ARGV[1] tick time ms, ARGV[2] job id, ARGV[3] job name, ARGV[4] first args piece, ARGV[5] instance id,
  ARGV[6] overlap ('allow' | 'skip'), ARGV[7] the previous job id the caller read ('' if none),
  ARGV[8] earliest Redis time the tick may be claimed (ms: the tick minus the lead; guards against a caller whose
  clock runs fast),
  ARGV[9] unique window ms (0 = none: a tick less than this long after the last *fired* tick is skipped),
  ARGV[10] how many ticks the history keeps, ARGV[11] the entry's name, ARGV[12..] more job field/value pairs (args
  pieces, options, `tp` trace context if traced)
  The tick's job records the tick (te entry, tt tick, tb instance); each fired or skipped tick is pushed on the
  history as "tick|jobId|instance|lateMs|skip reason". A paused entry (its hash's paused = '1') fires nothing: its
  ticks are recorded as skipped (reason 'paused').
  Reply: { 'FIRED', jobId, nowMs } | { 'TAKEN', lastJob, lastTick } (this tick or a later one already fired) |
         { 'SKIPPED', previousJob, nowMs, reason } (overlap, unique window or paused; the tick counts as done) |
         { 'EARLY', nowMs } (Redis time is before the tick) | { 'STALE', lastJob } (the previous job changed: re-read)
  Commands when firing: TIME + HMGET + HSET entry + HSET job + LPUSH (+ ZADD marker) = 5-6; ahead of the tick
  ZADD + ZRANGE instead of LPUSH (+ ZADD marker) = 6-7.
]]
--- @include "now-ms"
--- @include "is-live"
--- @include "hset-record"

local tick = tonumber(ARGV[1])
local now = nowMs()
if now < tonumber(ARGV[8]) then return { 'EARLY', now } end
local function remember(jobId, reason)
  redis.call('LPUSH', KEYS[8], table.concat({ tick, jobId, ARGV[5], now - tick, reason }, '|'))
  redis.call('LTRIM', KEYS[8], 0, tonumber(ARGV[10]) - 1)
end
local function skip(lastJob, reason)
  redis.call('HSET', KEYS[1], 'lastTick', tick, 'lastSkipped', tick)
  remember('', reason)
  return { 'SKIPPED', lastJob, now, reason }
end
local entry = redis.call('HMGET', KEYS[1], 'lastTick', 'lastJob', 'lastFiredTick', 'paused')
local lastTick, lastJob, lastFiredTick = tonumber(entry[1]), entry[2] or '', tonumber(entry[3])
if lastTick and lastTick >= tick then
  -- claimed ahead by another instance and not yet due: wake one more idle worker to arm its due timer, so that a
  -- worker killed after taking the first wake-up does not leave the tick waiting for someone's next claim
  if lastTick == tick and tick > now and redis.pcall('HGET', KEYS[2], 's') == 's' then redis.call('ZADD', KEYS[4], 0, '0') end
  return { 'TAKEN', lastJob, lastTick }
end
if lastJob ~= ARGV[7] then return { 'STALE', lastJob } end
if entry[4] == '1' then return skip(lastJob, 'paused') end
local window = tonumber(ARGV[9])
if window > 0 and lastFiredTick and tick < lastFiredTick + window then return skip(lastJob, 'unique') end
if ARGV[6] == 'skip' and lastJob ~= '' then
  local s = redis.pcall('HGET', KEYS[5], 's')
  if isLive(s) then return skip(lastJob, 'overlap') end
end
redis.call('HSET', KEYS[1], 'lastTick', tick, 'lastFiredTick', tick, 'lastJob', ARGV[2], 'lastBy', ARGV[5], 'lastFiredAt', now)
local extra = { 'te', ARGV[11], 'tt', tick, 'tb', ARGV[5] }
for i = 12, #ARGV do extra[#extra + 1] = ARGV[i] end
local function wake()
  redis.call('ZADD', KEYS[4], 0, '0')
  redis.call('SADD', KEYS[7], ARGV[3])
end
if tick > now then
  hsetRecord(KEYS[2], 'n', ARGV[3], 'a', ARGV[4], 't', now, 's', 's', 'du', tick, unpack(extra))
  redis.call('ZADD', KEYS[6], tick, ARGV[2])
  -- wake one idle worker only if this job is now the earliest, so it re-arms its due timer
  if redis.call('ZRANGE', KEYS[6], 0, 0)[1] == ARGV[2] then wake() end
else
  hsetRecord(KEYS[2], 'n', ARGV[3], 'a', ARGV[4], 't', now, 's', 'q', unpack(extra))
  if redis.call('LPUSH', KEYS[3], ARGV[2]) == 1 then wake() end
end
remember(ARGV[2], '')
return { 'FIRED', ARGV[2], now }
