-- Fixed window. KEYS[1]: hash {w: window start in server ms, n: hits in that window}; windows aligned
-- to the server's epoch clock. ARGV: limit, window in ms, cost. Returns the remaining count when
-- admitted, {remaining, retry_after_ms} when denied.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local start = now - (now % window)
local state = redis.call('HMGET', KEYS[1], 'w', 'n')
local used = 0
if state[1] and tonumber(state[1]) == start then used = tonumber(state[2]) end
local reset = start + window - now
if used + cost > limit then
  return {math.max(limit - used, 0), reset}
end
redis.call('HSET', KEYS[1], 'w', start, 'n', used + cost)
redis.call('PEXPIRE', KEYS[1], reset)
return limit - used - cost
