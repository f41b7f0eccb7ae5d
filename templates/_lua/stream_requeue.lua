-- Put a dead letter back on its stream as a new entry (its original fields) and delete the dead letter, in one step.
-- KEYS[1]: the stream; KEYS[2]: its dead-letter stream.
-- ARGV[1]: the dead letter's entry id; ARGV[2]: the stream's TTL in seconds.
-- Returns the new entry id, or false when there is no such dead letter (or it held no event fields).
local entry = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
if not entry[1] then
  return false
end
local fields, event = entry[1][2], {}
for i = 1, #fields, 2 do
  local name = string.match(fields[i], '^event%.(.+)$')
  if name then
    event[#event + 1] = name
    event[#event + 1] = fields[i + 1]
  end
end
if #event == 0 then
  return false
end
local id = redis.call('XADD', KEYS[1], '*', unpack(event))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[1])
return id
