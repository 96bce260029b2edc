// The Lua scripts that change a Redis cluster store. Each runs atomically on the server: the objects
// (one hash per kind), the cluster-wide resourceVersion (INCR) and the change log (a Stream whose
// entry IDs are "<resourceVersion>-<index in batch>", the last entry of a batch flagged e=1) move
// together, so a snapshot or a watcher never sees half a change. Every key is passed in KEYS, all
// under one hash tag, so the scripts also run on Redis Cluster.
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connect.js';

export interface Script {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** Run a script by its SHA, sending the body once when the server does not know it yet. */
export async function runScript(
  client: RedisClient,
  s: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
    return await client.eval(s.lua, keys.length, ...keys, ...args);
  }
}

// KEYS: rv, log, kind hashes...   ARGV: maxlen, then (hash index, field, json) per object.
export const UPSERT = script(`
local n = (#ARGV - 1) / 3
if n == 0 then return tonumber(redis.call('GET', KEYS[1]) or '0') end
local rv = redis.call('INCR', KEYS[1])
for i = 1, n do
  local h = KEYS[tonumber(ARGV[3 * i - 1])]
  local v = ARGV[3 * i + 1]
  local t = 'MODIFIED'
  if redis.call('HSET', h, ARGV[3 * i], v) == 1 then t = 'ADDED' end
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], rv .. '-' .. (i - 1), 't', t, 'o', v, 'e', (i == n) and '1' or '0')
end
return rv
`);

// KEYS: rv, log, the kind's hash   ARGV: maxlen, field. Returns nil when there was nothing to delete.
export const DELETE = script(`
local v = redis.call('HGET', KEYS[3], ARGV[2])
if not v then return nil end
redis.call('HDEL', KEYS[3], ARGV[2])
local rv = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], rv .. '-0', 't', 'DELETED', 'o', v, 'e', '1')
return rv
`);

// KEYS: rv, log, every kind's hash   ARGV: maxlen, then (hash index, field, json) per wanted object
// (no field twice). Deletions first, then additions and modifications in ARGV order, as planReplace.
export const REPLACE = script(`
local want = {}
for k = 3, #KEYS do want[k] = {} end
for i = 2, #ARGV, 3 do want[tonumber(ARGV[i])][ARGV[i + 1]] = true end
local events = {}
for k = 3, #KEYS do
  local cur = redis.call('HGETALL', KEYS[k])
  for j = 1, #cur, 2 do
    if not want[k][cur[j]] then events[#events + 1] = { 'DELETED', k, cur[j], cur[j + 1] } end
  end
end
for i = 2, #ARGV, 3 do
  local k = tonumber(ARGV[i])
  local old = redis.call('HGET', KEYS[k], ARGV[i + 1])
  if not old then
    events[#events + 1] = { 'ADDED', k, ARGV[i + 1], ARGV[i + 2] }
  elseif old ~= ARGV[i + 2] then
    events[#events + 1] = { 'MODIFIED', k, ARGV[i + 1], ARGV[i + 2] }
  end
end
if #events == 0 then return tonumber(redis.call('GET', KEYS[1]) or '0') end
local rv = redis.call('INCR', KEYS[1])
for i, e in ipairs(events) do
  if e[1] == 'DELETED' then redis.call('HDEL', KEYS[e[2]], e[3]) else redis.call('HSET', KEYS[e[2]], e[3], e[4]) end
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], rv .. '-' .. (i - 1), 't', e[1], 'o', e[4], 'e', (i == #events) and '1' or '0')
end
return rv
`);

// KEYS: rv, every kind's hash   ARGV: most objects to return. One consistent read of everything:
// { rv, {field, json, ...} per kind }, or an error when the store holds more than we will read.
export const SNAPSHOT = script(`
local total = 0
for k = 2, #KEYS do total = total + redis.call('HLEN', KEYS[k]) end
if total > tonumber(ARGV[1]) then return redis.error_reply('KUBEPLANE_TOO_BIG ' .. total) end
local out = { redis.call('GET', KEYS[1]) or '0' }
for k = 2, #KEYS do out[#out + 1] = redis.call('HGETALL', KEYS[k]) end
return out
`);
