-- Record a session in its user's index (for "log out everywhere") and keep the index alive exactly as long as its
-- longest-lived session. KEYS[1]: the user's index, a sorted set: session id -> expiry (unix ms, server clock).
-- ARGV[1]: the session id; ARGV[2]: the session's TTL in ms from now. Expired members are dropped on the way.
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('(%.0f', now_ms))
redis.call('ZADD', KEYS[1], string.format('%.0f', now_ms + tonumber(ARGV[2])), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
