-- Token bucket. KEYS[1]: hash {t: tokens left, ts: last update in server ms}; limit tokens, refilled
-- continuously over the window. KEYS[2]: sorted set of the request ids admitted in the last ARGV[5] ms
-- (score: server ms), so a re-sent request is answered without taking tokens again.
-- ARGV: limit, window in ms, cost, request id (random, one per call of check_rate_limit), how long
-- a re-send can arrive after the first send in ms. A request for more tokens than remain is denied
-- and consumes none. Returns the remaining tokens when admitted, {remaining, retry_after_ms} when denied.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local horizon = tonumber(ARGV[5])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate = limit / window
local fresh = redis.call('ZADD', KEYS[2], 'NX', now, ARGV[4])
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = limit
if state[1] and state[2] then
  local elapsed = math.max(now - tonumber(state[2]), 0)
  tokens = math.min(limit, tonumber(state[1]) + elapsed * rate)
end
if fresh == 0 then
  return math.floor(tokens + 1e-9)  -- a re-send: this request took its tokens before
end
if tokens + 1e-9 < cost then
  redis.call('ZREM', KEYS[2], ARGV[4])
  return {math.floor(tokens + 1e-9), math.max(math.ceil((cost - tokens) / rate), 1)}
end
tokens = math.max(tokens - cost, 0)
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.max(math.ceil((limit - tokens) / rate), 1))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - horizon)
redis.call('PEXPIRE', KEYS[2], horizon)
return math.floor(tokens + 1e-9)
