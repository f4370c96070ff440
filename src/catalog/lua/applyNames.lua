--[[
  Compare-and-set of several names of one registry in one call: for each name, its stored record,
  its versions' entries (stored _meta parts and body), and one change event, written atomically;
  a name whose stored value
  is not the expected one is left alone (the caller reads it again and retries). The registry's
  counters move by the sum of the applied names' deltas. Every applied name gets its own commit
  time from the catalogue's clock: strictly greater than every earlier commit's, in call order.

  Input:
    KEYS[1] meta      HASH name -> StoredName JSON (compact, see storedNameCodec.ts)
    KEYS[2] entries   HASH name\0version -> _meta parts \0 body (see storedEntry.ts)
    KEYS[3] clock     STRING last commit time (µs since the epoch)
    KEYS[4] seq       STRING change counter
    KEYS[5] changes   STREAM change events
    KEYS[6] counts    HASH <registry>:names / <registry>:versions
    KEYS[7] legacy bodies    HASH name\0version -> server.json (previous format: read, then dropped)
    KEYS[8] legacy rendered  HASH name\0version -> _meta prefix (previous format: dropped)

    ARGV[1] registry
    ARGV[2] stream MAXLEN (approximate)
    then, per name:
      name
      expected StoredName JSON ('' = the name must be absent)
      new StoredName JSON ('' = delete the name)
      live versions delta
      names delta (-1, 0, 1)
      N1 = new bodies, then N1 (field, body) pairs
      N2 = entries to write (every version the name keeps), then N2 (field, _meta parts) pairs
      N3 = entries to delete, then N3 fields

  An entry's body is the new one when given, else the one it holds (or, for data of the previous
  format, the legacy body). Every "@@NOW@@" JSON string in a new StoredName and its _meta parts
  becomes that name's commit time: RFC 3339 UTC with microseconds.

  Output:
    an array with one element per name: its commit time (string) when applied, 0 when its stored
    value differed from the expected one.
]]
local registry = ARGV[1]
local maxlen = ARGV[2]
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
local legacy = redis.call('EXISTS', KEYS[7], KEYS[8]) > 0
local t = redis.call('TIME')
local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
if us <= last then us = last + 1 end
us = us - 1

-- The date part changes at most once per second, so it is computed once per second seen.
local dateSecs, datePart = -1, ''
local function iso(stamp)
  local secs = math.floor(stamp / 1000000)
  if secs ~= dateSecs then
    -- days since 1970-01-01 to a civil date (H. Hinnant's algorithm)
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
    dateSecs = secs
    datePart = string.format('%04d-%02d-%02dT%02d:%02d:%02d', y, m, d, math.floor(rem / 3600), math.floor((rem % 3600) / 60), rem % 60)
  end
  return string.format('%s.%06dZ', datePart, stamp - secs * 1000000)
end

local seq = tonumber(redis.call('GET', KEYS[4]) or '0')

-- The body an entry keeps when no new one is given: what follows the 8 _meta values.
local META_VALUES = 8
local function heldBody(field)
  local old = redis.call('HGET', KEYS[2], field)
  if old then
    local at = 0
    for _ = 1, META_VALUES do
      at = string.find(old, '\0', at + 1, true)
      if not at then break end
    end
    if at then return string.sub(old, at + 1) end
  end
  if legacy then return redis.call('HGET', KEYS[7], field) end
  return false
end

local versionsDelta, namesDelta, applied = 0, 0, 0
local out = {}
local i = 3
while i <= #ARGV do
  local name, expected, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local cur = redis.call('HGET', KEYS[1], name)
  local ok
  if expected == '' then ok = not cur else ok = cur == expected end
  local stamp
  if ok then
    us = us + 1
    stamp = iso(us)
    out[#out + 1] = stamp
    stamp = '"' .. stamp .. '"'
    if value == '' then
      redis.call('HDEL', KEYS[1], name)
    else
      redis.call('HSET', KEYS[1], name, (string.gsub(value, '"@@NOW@@"', stamp)))
    end
    versionsDelta = versionsDelta + tonumber(ARGV[i + 3])
    namesDelta = namesDelta + tonumber(ARGV[i + 4])
    applied = applied + 1
  else
    out[#out + 1] = 0
  end
  i = i + 5
  local nbodies = tonumber(ARGV[i])
  local bodies = {}
  for j = 1, nbodies do bodies[ARGV[i + 2 * j - 1]] = ARGV[i + 2 * j] end
  i = i + 2 * nbodies + 1
  local nentries = tonumber(ARGV[i])
  if ok then
    for j = 1, nentries do
      local field = ARGV[i + 2 * j - 1]
      local body = bodies[field] or heldBody(field)
      if body then
        redis.call('HSET', KEYS[2], field, (string.gsub(ARGV[i + 2 * j], '"@@NOW@@"', stamp)) .. '\0' .. body)
      end
      if legacy then redis.call('HDEL', KEYS[7], field); redis.call('HDEL', KEYS[8], field) end
    end
  end
  i = i + 2 * nentries + 1
  local ndel = tonumber(ARGV[i])
  if ok then
    for j = 1, ndel do
      redis.call('HDEL', KEYS[2], ARGV[i + j])
      if legacy then redis.call('HDEL', KEYS[7], ARGV[i + j]); redis.call('HDEL', KEYS[8], ARGV[i + j]) end
    end
  end
  i = i + ndel + 1
  if ok then
    seq = seq + 1
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxlen, '*', 'seq', seq, 'reg', registry, 'name', name, 't', string.format('%.0f', us))
  end
end

if applied > 0 then
  redis.call('SET', KEYS[3], string.format('%.0f', us))
  redis.call('SET', KEYS[4], seq)
  if versionsDelta ~= 0 then redis.call('HINCRBY', KEYS[6], registry .. ':versions', versionsDelta) end
  if namesDelta ~= 0 then redis.call('HINCRBY', KEYS[6], registry .. ':names', namesDelta) end
end
return out
