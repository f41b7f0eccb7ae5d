-- Move entry ARGV[2] of stream KEYS[1] out of consumer group ARGV[1]'s way: append it to the dead-letter
-- stream KEYS[2] (same hash slot) with its id, group, delivery count (ARGV[3]) and error (ARGV[4]),
-- then XACK it, in one step. ARGV[5]: the dead-letter stream's approximate MAXLEN, ARGV[6]: its TTL in
-- seconds; ARGV[7..]: the entry's own field/value pairs. Returns the dead-letter entry's id.
local fields = {'id', ARGV[2], 'group', ARGV[1], 'deliveries', ARGV[3], 'error', ARGV[4]}
for i = 7, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
local dead = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', unpack(fields))
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return dead
