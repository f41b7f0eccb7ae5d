-- Delete a session and return what it held, in one step (its user id tells which index to clean).
-- KEYS[1]: the session. Returns its value; '' when it existed but is not one of ours (not ASCII JSON); false when
-- there was no such session.
local value = redis.call('GET', KEYS[1])
if not value then
  return false
end
redis.call('DEL', KEYS[1])
if string.find(value, '[\128-\255]') then
  return ''
end
return value
