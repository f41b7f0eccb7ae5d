-- Append an event, refresh the stream's TTL and trim only what every consumer group has acknowledged, in one step.
-- Idempotent under a re-send: a request id seen in the last ARGV[7] ms returns the entry its first attempt appended.
-- KEYS[1]: the stream; KEYS[2]: the stream's recent request ids (a sorted set: request id -> entry millisecond).
-- ARGV[1]: entries to keep once every group acknowledged them (trimmed in whole nodes beyond this)
-- ARGV[2]: hard cap on entries: beyond it the oldest go even if a group has not acknowledged them (and are counted)
-- ARGV[3]: TTL in seconds; ARGV[4]: event type; ARGV[5]: JSON data; ARGV[6]: request id (random, one per emit)
-- ARGV[7]: how long a request id is remembered, in ms (longer than a call's retries take)
-- Returns {entry id, entries dropped by the hard cap before every group acknowledged them}.
local key, ids = KEYS[1], KEYS[2]

local seen = redis.call('ZSCORE', ids, ARGV[6])
if seen then
  -- A re-sent attempt: the first one ran. Find its entry among those of that millisecond (ids are server ms).
  local ms = string.format('%.0f', tonumber(seen))
  for _, entry in ipairs(redis.call('XRANGE', key, ms, ms)) do
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'request_id' and fields[i + 1] == ARGV[6] then
        return {entry[1], 0}
      end
    end
  end
  return {ms .. '-0', 0}  -- trimmed already (hard cap): still never appended twice
end

local id = redis.call('XADD', key, '*', 'type', ARGV[4], 'data', ARGV[5], 'request_id', ARGV[6])
redis.call('EXPIRE', key, ARGV[3])
local ms = tonumber(string.match(id, '^(%d+)-'))
local window = tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', ids, '-inf', string.format('(%.0f', ms - window))
redis.call('ZADD', ids, ms, ARGV[6])
redis.call('PEXPIRE', ids, window)

local keep, hard = tonumber(ARGV[1]), tonumber(ARGV[2])
local length = redis.call('XLEN', key)
if length <= keep then
  return {id, 0}
end

local function parse(entry_id)
  local ms, seq = string.match(entry_id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function older(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

-- The safe point: every entry older than it was delivered to and acknowledged by every group, i.e. it is older
-- than each group's last-delivered id and than each group's oldest pending entry.
local safe = nil
local groups = {}
for _, group in ipairs(redis.call('XINFO', 'GROUPS', key)) do
  local name, point
  for i = 1, #group, 2 do
    if group[i] == 'name' then
      name = group[i + 1]
    elseif group[i] == 'last-delivered-id' then
      point = group[i + 1]
    end
  end
  groups[#groups + 1] = {name, point}
  local pending = redis.call('XPENDING', key, name)
  if tonumber(pending[1]) > 0 and older(pending[2], point) then
    point = pending[2]
  end
  if safe == nil or older(point, safe) then
    safe = point
  end
end

if safe == nil then
  -- no consumer group: nobody waits for these entries
  redis.call('XTRIM', key, 'MAXLEN', '~', keep)
  return {id, 0}
end
-- Whole nodes only, at most length - keep entries, never at or past the safe point.
redis.call('XTRIM', key, 'MINID', '~', safe, 'LIMIT', length - keep)
length = redis.call('XLEN', key)
if length <= hard then
  return {id, 0}
end
-- Over the hard cap: the oldest entries go whatever their state; count those some group still needed
-- (not yet delivered to it, or delivered and pending). At most 1000 per call, so one emit stays short.
local excess = math.min(length - hard, 1000)
local dropped = 0
for _, entry in ipairs(redis.call('XRANGE', key, '-', '+', 'COUNT', excess)) do
  local entry_id = entry[1]
  for _, group in ipairs(groups) do
    if older(group[2], entry_id) or redis.call('XPENDING', key, group[1], entry_id, entry_id, 1)[1] then
      dropped = dropped + 1
      break
    end
  end
end
redis.call('XTRIM', key, 'MAXLEN', length - excess)
return {id, dropped}
