-- Claim entries pending longer than a minimum idle time (a dead or stalled consumer's) and report how often each
-- was delivered, in one step.
-- KEYS[1]: the stream.
-- ARGV[1]: group; ARGV[2]: consumer that takes them; ARGV[3]: minimum idle time in ms; ARGV[4]: XAUTOCLAIM cursor;
-- ARGV[5]: entries per call.
-- Returns [next cursor, [[entry id, deliveries (this one included), [field, value, ...]], ...], [deleted id, ...]].
-- Deleted entries (trimmed or XDEL'd while pending) are acknowledged here, so they leave the pending list on every
-- server version.
local reply = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local claimed, deleted = {}, {}
for _, entry in ipairs(reply[2]) do
  local id, fields = entry[1], entry[2]
  if fields then
    local info = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
    local deliveries = 1
    if info[1] then
      deliveries = info[1][4]
    end
    claimed[#claimed + 1] = {id, deliveries, fields}
  elseif id then
    deleted[#deleted + 1] = id  -- servers before 7.0 return a deleted entry with nil fields
  end
end
if reply[3] then
  for _, id in ipairs(reply[3]) do
    deleted[#deleted + 1] = id  -- 7.0+: already out of the pending list
  end
end
if #deleted > 0 then
  redis.call('XACK', KEYS[1], ARGV[1], unpack(deleted))
end
return {reply[1], claimed, deleted}
