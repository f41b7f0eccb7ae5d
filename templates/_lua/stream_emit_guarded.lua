-- Append an event, refresh the stream's TTL and trim it, without ever trimming an entry that a consumer
-- group has not read and acknowledged. KEYS[1]: the stream; ARGV: MAXLEN, TTL in seconds, event type,
-- JSON data, slack (the stream is trimmed once it is this many entries over MAXLEN, in one XTRIM).
-- Trimming removes the oldest entries down to MAXLEN, but never one at or after the oldest entry some
-- group still needs (pending, or not yet delivered). Returns {entry id, entries over MAXLEN kept because
-- a group still needs them} (0 when nothing was held back).
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function less(a, b)
  local ams, aseq = parse(a)
  local bms, bseq = parse(b)
  return ams < bms or (ams == bms and aseq < bseq)
end
local id = redis.call('XADD', KEYS[1], '*', 'type', ARGV[3], 'data', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[2])
local maxlen = tonumber(ARGV[1])
local over = redis.call('XLEN', KEYS[1]) - maxlen
if over < tonumber(ARGV[5]) then
  return {id, 0}
end
-- the first id some group still needs: its oldest pending entry, or the one after its last delivered
local keep = nil
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
  local ms, seq = parse(info['last-delivered-id'])
  local needed = ms .. '-' .. (seq + 1)
  if tonumber(info['pending']) > 0 then
    local oldest = redis.call('XPENDING', KEYS[1], info['name'])[2]
    if less(oldest, needed) then needed = oldest end
  end
  if keep == nil or less(needed, keep) then keep = needed end
end
-- the first id kept at exactly MAXLEN entries (looked up while the backlog is small)
if over <= 4 * tonumber(ARGV[5]) then
  local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', over + 1)
  local cut = oldest[#oldest][1]
  if keep == nil or less(cut, keep) then keep = cut end
end
if keep ~= nil then
  redis.call('XTRIM', KEYS[1], 'MINID', keep)
else
  redis.call('XTRIM', KEYS[1], 'MAXLEN', maxlen)
end
local held = redis.call('XLEN', KEYS[1]) - maxlen
if held < 0 then held = 0 end
return {id, held}
