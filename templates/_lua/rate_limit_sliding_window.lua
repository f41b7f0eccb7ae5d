-- Sliding window log (exact). KEYS[1]: sorted set of the hits admitted in the last window; member:
-- '<request id>:<n>' for the n-th of the request's cost units, score: server ms (TIME). Hits of one
-- millisecond are all counted (members differ by request id).
-- ARGV: limit, window in ms, cost, request id (random, one per call of check_rate_limit).
-- A re-sent request whose hits are already in the window is answered without counting again.
-- Returns the remaining count when admitted, {remaining, retry_after_ms} when denied.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local members, added = {}, 0
if cost == 1 then  -- the common case, without building tables
  members[1] = ARGV[4] .. ':1'
  added = redis.call('ZADD', KEYS[1], 'NX', now, members[1])
else
  local hits = {'NX'}
  for i = 1, cost do
    members[i] = ARGV[4] .. ':' .. i
    hits[#hits + 1] = now
    hits[#hits + 1] = members[i]
  end
  added = redis.call('ZADD', KEYS[1], unpack(hits))
end
local used = redis.call('ZCARD', KEYS[1])
if added == 0 then
  return math.max(limit - used, 0)  -- a re-send: this request was counted before
end
if used <= limit then
  redis.call('PEXPIRE', KEYS[1], window)
  return limit - used
end
-- denied: take this request's hits out again; retry when enough older hits have left the window
redis.call('ZREM', KEYS[1], unpack(members))
used = used - cost
local nth = used + cost - limit - 1
local oldest = redis.call('ZRANGE', KEYS[1], nth, nth, 'WITHSCORES')
local retry = window
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
return {math.max(limit - used, 0), math.max(retry, 1)}
