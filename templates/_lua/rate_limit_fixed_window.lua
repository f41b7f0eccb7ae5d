-- Fixed window. KEYS[1]: the hits counted in the current window, a counter that expires when the window
-- ends: windows are aligned to the server's epoch clock (TIME), so the first hit of a window sets the
-- TTL to what remains of it and the next window starts from an absent key.
-- ARGV: limit, window in ms, cost. Not idempotent (no request id is kept, which keeps the check to one
-- write): the driver never re-sends it once it may have reached the server.
-- Returns the remaining count when admitted, {remaining, retry_after_ms} when denied.
local limit = tonumber(ARGV[1])
local cost = tonumber(ARGV[3])
local used = redis.call('INCRBY', KEYS[1], cost)
if used == cost then  -- the window's first hit (cost <= limit: checked by the caller)
  local window = tonumber(ARGV[2])
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  redis.call('PEXPIRE', KEYS[1], window - now % window)
  return limit - used
end
if used > limit then  -- denied: not counted; retry when the window ends
  redis.call('DECRBY', KEYS[1], cost)
  return {math.max(limit - used + cost, 0), math.max(redis.call('PTTL', KEYS[1]), 1)}
end
return limit - used
