-- Token bucket. KEYS[1]: hash {t: tokens left, ts: last update in server ms}; limit tokens, refilled
-- continuously over the window.
-- ARGV: limit, window in ms, cost. A request for more tokens than remain is denied and consumes none.
-- Not idempotent (no request id is kept): the driver never re-sends it once it may have reached the server.
-- Returns the remaining tokens when admitted, {remaining, retry_after_ms} when denied.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate = limit / window
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = limit
if state[1] and state[2] then
  local elapsed = math.max(now - tonumber(state[2]), 0)
  tokens = math.min(limit, tonumber(state[1]) + elapsed * rate)
end
if tokens + 1e-9 < cost then
  return {math.floor(tokens + 1e-9), math.max(math.ceil((cost - tokens) / rate), 1)}
end
tokens = math.max(tokens - cost, 0)
redis.call('HSET', KEYS[1], 't', tokens, 'ts', now)  -- a number argument is sent with 17 significant digits
redis.call('PEXPIRE', KEYS[1], math.max(math.ceil((limit - tokens) / rate), 1))
return math.floor(tokens + 1e-9)
