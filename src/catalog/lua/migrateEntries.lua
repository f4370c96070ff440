--[[
  Moves entries of the previous format (a body hash and a rendered-_meta hash) to the current one
  (one value per version, see storedEntry.ts), one field at a time and only when unchanged since
  the caller read it. An entry the current format already holds is newer: its legacy copy is
  dropped.

  Input:
    KEYS[1] entries          HASH name\0version -> _meta parts \0 body
    KEYS[2] legacy bodies    HASH name\0version -> server.json
    KEYS[3] legacy rendered  HASH name\0version -> _meta prefix
    ARGV    triples: field, the legacy _meta prefix read, its _meta parts in the current format

  Output:
    how many entries were moved.
]]
local moved = 0
for i = 1, #ARGV, 3 do
  local field = ARGV[i]
  if redis.call('HGET', KEYS[3], field) == ARGV[i + 1] then
    if redis.call('HEXISTS', KEYS[1], field) == 0 then
      local body = redis.call('HGET', KEYS[2], field)
      if body then
        redis.call('HSET', KEYS[1], field, ARGV[i + 2] .. '\0' .. body)
        moved = moved + 1
      end
    end
    redis.call('HDEL', KEYS[2], field)
    redis.call('HDEL', KEYS[3], field)
  end
end
return moved
