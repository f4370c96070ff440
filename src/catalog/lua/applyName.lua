--[[
  Compare-and-set of one name in one registry: its stored records, bodies and rendered _meta,
  the registry's counters, and one change event, atomically and stamped by the catalogue's clock.

  Input:
    KEYS[1] meta      HASH name -> StoredName JSON
    KEYS[2] bodies    HASH name\0version -> server.json
    KEYS[3] rendered  HASH name\0version -> _meta prefix
    KEYS[4] clock     STRING last commit time (µs since the epoch)
    KEYS[5] seq       STRING change counter
    KEYS[6] changes   STREAM change events
    KEYS[7] counts    HASH <registry>:names / <registry>:versions

    ARGV[1]  name
    ARGV[2]  expected StoredName JSON ('' = the name must be absent)
    ARGV[3]  new StoredName JSON ('' = delete the name)
    ARGV[4]  registry
    ARGV[5]  stream MAXLEN (approximate)
    ARGV[6]  live versions delta
    ARGV[7]  names delta (-1, 0, 1)
    ARGV[8]  N1 = bodies to set, then N1 (field, body) pairs
             N2 = bodies to delete, then N2 fields
             N3 = rendered to set, then N3 (field, prefix) pairs
             N4 = rendered to delete, then N4 fields

  Every "@@NOW@@" JSON string in the new StoredName and the rendered prefixes becomes the commit
  time: RFC 3339 UTC with microseconds, strictly greater than every earlier commit's.

  Output:
    the commit time (string) when applied; 0 when the stored value differs from `expected`
    (a concurrent writer: read again and retry).
]]
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end

local t = redis.call('TIME')
local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
if us <= last then us = last + 1 end
redis.call('SET', KEYS[4], string.format('%.0f', us))

-- days since 1970-01-01 to a civil date (H. Hinnant's algorithm)
local secs = math.floor(us / 1000000)
local micro = us - secs * 1000000
local days = math.floor(secs / 86400)
local rem = secs - days * 86400
local z = days + 719468
local era = math.floor(z / 146097)
local doe = z - era * 146097
local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
local y = yoe + era * 400
local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
local mp = math.floor((5 * doy + 2) / 153)
local d = doy - math.floor((153 * mp + 2) / 5) + 1
local m = mp < 10 and mp + 3 or mp - 9
if m <= 2 then y = y + 1 end
local iso = string.format('%04d-%02d-%02dT%02d:%02d:%02d.%06dZ', y, m, d,
  math.floor(rem / 3600), math.floor((rem % 3600) / 60), rem % 60, micro)
local stamp = '"' .. iso .. '"'

if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], (string.gsub(ARGV[3], '"@@NOW@@"', stamp)))
end
if ARGV[6] ~= '0' then redis.call('HINCRBY', KEYS[7], ARGV[4] .. ':versions', ARGV[6]) end
if ARGV[7] ~= '0' then redis.call('HINCRBY', KEYS[7], ARGV[4] .. ':names', ARGV[7]) end

local i = 8
for k, key in ipairs({ KEYS[2], KEYS[3] }) do
  local nset = tonumber(ARGV[i])
  for j = 1, nset do
    local value = ARGV[i + 2 * j]
    if k == 2 then value = (string.gsub(value, '"@@NOW@@"', stamp)) end
    redis.call('HSET', key, ARGV[i + 2 * j - 1], value)
  end
  i = i + 2 * nset + 1
  local ndel = tonumber(ARGV[i])
  for j = 1, ndel do
    redis.call('HDEL', key, ARGV[i + j])
  end
  i = i + ndel + 1
end

local seq = redis.call('INCR', KEYS[5])
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[5], '*', 'seq', seq, 'reg', ARGV[4], 'name', ARGV[1], 't', string.format('%.0f', us))
return iso
