-- Replace the value of KEYS[1] with ARGV[2] only while it still holds ARGV[1], keeping its TTL (an
-- optimistic read-modify-write: the caller read ARGV[1] and computed ARGV[2] from it). Never creates
-- the key. Returns 1 if replaced, 0 if the value changed meanwhile (read again), false if it is gone.
local current = redis.call('GET', KEYS[1])
if not current then
  return false
end
if current ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
