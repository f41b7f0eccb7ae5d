-- Add ARGV[1] (a cache key) to the tag set KEYS[1] and make the set live at least ARGV[2] ms.
-- SADD and the TTL in one step; the TTL only ever grows, so the set outlives its members.
redis.call('SADD', KEYS[1], ARGV[1])
local want = tonumber(ARGV[2])
if redis.call('PTTL', KEYS[1]) < want then
  redis.call('PEXPIRE', KEYS[1], want)
end
return 1
