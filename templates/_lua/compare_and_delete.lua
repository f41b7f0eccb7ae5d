-- Delete KEYS[1] only while it still holds ARGV[1] (a lock's token): a holder whose lock expired and
-- was taken by someone else can never delete the new owner's lock. Returns 1 if deleted, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
