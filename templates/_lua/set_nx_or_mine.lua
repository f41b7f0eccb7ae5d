-- Claim KEYS[1] for ARGV[1] (a random token): SET NX with a TTL of ARGV[2] ms. When the key already holds
-- ARGV[1], this is a re-send of the caller's own claim whose first reply was lost: report success too
-- (the TTL runs from the first claim). Returns 1 when KEYS[1] holds ARGV[1], else 0 (someone else's).
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return 1
end
return 0
