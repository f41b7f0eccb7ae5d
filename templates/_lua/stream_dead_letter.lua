-- Move one pending entry to the dead-letter stream and acknowledge it, in one step.
-- KEYS[1]: the stream; KEYS[2]: its dead-letter stream.
-- ARGV[1]: group; ARGV[2]: consumer that holds the entry; ARGV[3]: entry id; ARGV[4]: error text;
-- ARGV[5]: dead letters kept (MAXLEN, trimmed in whole nodes); ARGV[6]: dead-letter stream TTL in seconds.
-- The dead letter's fields: id, group, consumer, deliveries, error, then the entry's own fields as 'event.<name>'.
-- Returns {dead-letter entry id, dead letters trimmed}, or {false, 0} when the entry is no longer pending for this
-- consumer (another consumer claimed it, or a re-sent call already moved it).
local info = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if not info[1] then
  return {false, 0}
end
local record = {'id', ARGV[3], 'group', ARGV[1], 'consumer', ARGV[2], 'deliveries', tostring(info[1][4]),
  'error', ARGV[4]}
local entry = redis.call('XRANGE', KEYS[1], ARGV[3], ARGV[3])
if entry[1] then
  local fields = entry[1][2]
  for i = 1, #fields, 2 do
    record[#record + 1] = 'event.' .. fields[i]
    record[#record + 1] = fields[i + 1]
  end
end
local id = redis.call('XADD', KEYS[2], '*', unpack(record))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
local trimmed = redis.call('XTRIM', KEYS[2], 'MAXLEN', '~', ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {id, trimmed}
