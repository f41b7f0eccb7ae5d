-- Compare-and-set of a session's value, keeping its TTL. KEYS[1]: the session; ARGV[1]: the value the caller read;
-- ARGV[2]: the new value. Returns 1 when replaced; the current value when it changed since it was read (the caller
-- merges into that and tries again); false when the session is gone (never resurrected) or not one of ours.
local current = redis.call('GET', KEYS[1])
if not current then
  return false
end
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
if string.find(current, '[\128-\255]') then
  return false  -- not one of ours (sessions are ASCII JSON)
end
return current
