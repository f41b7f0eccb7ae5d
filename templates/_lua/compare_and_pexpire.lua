-- Reset KEYS[1]'s TTL to ARGV[2] ms only while it still holds ARGV[1] (a lock's token).
-- Returns 1 if extended, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
