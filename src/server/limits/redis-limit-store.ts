/**
 * A {@link LimitStore} in Redis, so every instance of the app shares one count per subject. Each
 * operation is one Lua script, which Redis runs atomically (https://redis.io/docs/latest/develop/
 * interactive/programmability/eval-intro/), and takes time from Redis's own clock (`TIME`), so
 * instances with skewed clocks still agree.
 *
 * Works with the `redis` package (node-redis v5) client as it is. Another client fits through
 * the one-method {@link RedisScriptClient} shape, e.g. ioredis:
 * `{ eval: (script, { keys, arguments: args }) => ioredis.eval(script, keys.length, ...keys, ...args) }`.
 */
import type { LimitStore } from './limit-store'

/** The one Redis command the store needs: `EVAL` in node-redis v5's calling convention. */
export interface RedisScriptClient {
  /** Runs the Lua `script` atomically with `keys` and `arguments`; resolves with its reply. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/** Options of {@link createRedisLimitStore}. */
export interface RedisLimitStoreOptions {
  /**
   * Prefix of every key the store writes, so several apps can share one Redis.
   *
   * @defaultValue `'react-prediction-stream:'`
   */
  prefix?: string
}

/** Current time in ms from Redis, and a helper that extends a key's TTL to at least ARGV[n]. */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function keep(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
`

/** KEYS[1] counter; ARGV limit, windowMs → 0 or ms until the window ends. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count <= tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return math.max(ttl, 1)
`

/** KEYS[1] sorted set (score = expiry ms); ARGV member, max, ttlMs → 1 added, 0 full. */
const ACQUIRE = `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
keep(KEYS[1], tonumber(ARGV[3]))
return 1
`

/** KEYS[1] sorted set; ARGV from, to, ttlMs. */
const REPLACE = `${PRELUDE}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
keep(KEYS[1], tonumber(ARGV[3]))
return 1
`

/** KEYS[1] sorted set; ARGV member. */
const RELEASE = `redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`

/** KEYS[1] sorted set → live members. */
const MEMBERS = `${PRELUDE}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
`

/**
 * A {@link LimitStore} on a connected Redis client (`createClient().connect()` from `redis`, an
 * optional peer dependency of this package). Keys expire on their own, so nothing needs cleaning.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect()
 * const handler = createPredictionHandler({ allowedModels: ['meta/meta-llama-3-8b-instruct'],
 *   limitStore: createRedisLimitStore(redis) })
 * ```
 */
export function createRedisLimitStore(
  client: RedisScriptClient,
  options: RedisLimitStoreOptions = {},
): LimitStore {
  const prefix = options.prefix ?? 'react-prediction-stream:'
  const run = (script: string, key: string, args: (string | number)[]) =>
    client.eval(script, { keys: [prefix + key], arguments: args.map(String) })
  return {
    async hit(key, limit, windowMs) {
      return Number(await run(HIT, key, [limit, Math.ceil(windowMs)]))
    },
    async acquire(key, member, max, ttlMs) {
      return Number(await run(ACQUIRE, key, [member, max, Math.ceil(ttlMs)])) === 1
    },
    async replace(key, from, to, ttlMs) {
      await run(REPLACE, key, [from, to, Math.ceil(ttlMs)])
    },
    async release(key, member) {
      await run(RELEASE, key, [member])
    },
    async members(key) {
      const members = await run(MEMBERS, key, [])
      return Array.isArray(members) ? members.map(String) : []
    },
  }
}
