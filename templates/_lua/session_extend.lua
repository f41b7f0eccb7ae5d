-- Throttled session extension. KEYS[1]: the session; ARGV[1]: its TTL in ms; ARGV[2]: ms of TTL that may be
-- used up before it is rewritten. Only an existing key is touched (a destroyed session is never
-- resurrected). Returns {the session's value, 1 when its TTL was rewritten now else 0}, or false when it is gone
-- or not one of ours.
local left = redis.call('PTTL', KEYS[1])
if left == -2 then
  return false
end
local ttl = tonumber(ARGV[1])
local rewritten = 0
if left < 0 or left <= ttl - tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ttl)
  rewritten = 1
end
local value = redis.call('GET', KEYS[1])
if string.find(value, '[\128-\255]') then
  return false  -- not one of ours (sessions are ASCII JSON): never handed to the client to decode
end
return {value, rewritten}
