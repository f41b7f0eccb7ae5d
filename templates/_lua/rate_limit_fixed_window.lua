-- Fixed window. KEYS[1]: hash {w: window start in server ms, n: hits in that window}; windows aligned
-- to the server's epoch clock. KEYS[2]: sorted set of the request ids admitted in the last ARGV[5] ms
-- (score: server ms), so a re-sent request is answered without counting again.
-- ARGV: limit, window in ms, cost, request id (random, one per call of check_rate_limit), how long
-- a re-send can arrive after the first send in ms. Returns the remaining count when admitted,
-- {remaining, retry_after_ms} when denied.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local horizon = tonumber(ARGV[5])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local start = now - (now % window)
local fresh = redis.call('ZADD', KEYS[2], 'NX', now, ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'w', 'n')
local used = 0
if state[1] and tonumber(state[1]) == start then used = tonumber(state[2]) end
local reset = start + window - now
if fresh == 0 then
  return math.max(limit - used, 0)  -- a re-send: this request was counted before
end
if used + cost > limit then
  redis.call('ZREM', KEYS[2], ARGV[4])
  return {math.max(limit - used, 0), reset}
end
redis.call('HSET', KEYS[1], 'w', start, 'n', used + cost)
redis.call('PEXPIRE', KEYS[1], reset)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - horizon)
redis.call('PEXPIRE', KEYS[2], horizon)
return limit - used - cost
