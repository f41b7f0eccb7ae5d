-- Create consumer group ARGV[1] on stream KEYS[1] (and the stream), and set the stream's TTL (ARGV[2] s)
-- in the same step. Returns 1 when created, 0 when the group existed (BUSYGROUP).
local ok, err = pcall(redis.call, 'XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
redis.call('EXPIRE', KEYS[1], ARGV[2])
if ok then return 1 end
local message = type(err) == 'table' and err.err or tostring(err)
if string.find(message, 'BUSYGROUP', 1, true) then return 0 end
return redis.error_reply(message)
