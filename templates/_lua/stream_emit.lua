-- Append an event and refresh the stream's TTL in one step. KEYS[1]: the stream; ARGV: approximate
-- MAXLEN, TTL in seconds, event type, JSON data. The entry id is chosen by the server ('*').
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'type', ARGV[3], 'data', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return id
