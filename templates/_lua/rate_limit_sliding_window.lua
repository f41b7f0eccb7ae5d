-- Sliding window log (exact). KEYS[1]: sorted set, one member per admitted hit (member: a sequence
-- number, score: server ms); KEYS[2]: the bucket's sequence counter, so hits within one millisecond
-- are all counted. ARGV: limit, window in ms, cost. Time from the server (TIME).
-- Returns the remaining count when admitted, {remaining, retry_after_ms} when denied.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used + cost <= limit then
  local last = redis.call('INCRBY', KEYS[2], cost)
  local args = {}
  for i = cost - 1, 0, -1 do
    args[#args + 1] = now
    args[#args + 1] = last - i
  end
  redis.call('ZADD', KEYS[1], unpack(args))
  redis.call('PEXPIRE', KEYS[1], window)
  redis.call('PEXPIRE', KEYS[2], window)
  return limit - used - cost
end
local nth = used + cost - limit - 1
local oldest = redis.call('ZRANGE', KEYS[1], nth, nth, 'WITHSCORES')
local retry = window
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
return {math.max(limit - used, 0), math.max(retry, 1)}
