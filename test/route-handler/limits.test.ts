/**
 * Per-subject limits: a rate limit and a cap on running predictions, answered 429 with
 * `Retry-After` before anything is created; in memory, and in a real Redis shared by two handler
 * instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryLimitStore, createRedisLimitStore, type LimitStore } from '../../src/server'
import { benchStarter, caller, LLAMA_3, type Bench } from './harness'
import { startRedisServer, type RedisServer } from './redis-server'

const { start, startUpstream } = benchStarter()
/** Predictions that stay running for the whole test. */
const SLOW = { cadence: { firstOutputDelayMs: 600_000, outputIntervalMs: 1_000 } }

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(async () => {
  await redis.stop()
})

function creates(bench: Bench): number {
  return bench.upstreamCalls().filter((call) => call.startsWith('POST /v1/models/')).length
}

describe('rate limit', () => {
  it('429s the create past the limit with Retry-After to the window end, per subject', async () => {
    let now = 1_000_000
    const bench = await start({
      rateLimit: { limit: 3, windowMs: 60_000 },
      maxConcurrentPredictions: false,
      now: () => now,
    })
    const alice = caller(bench, 'alice')
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await alice.create()).status)
    now += 20_500
    const refused = await alice.create()
    expect([...statuses, refused.status]).toEqual([201, 201, 201, 429])
    expect(refused.headers.get('retry-after')).toBe('40')
    expect(refused.json).toMatchObject({ status: 429, title: 'Too many requests' })
    expect(creates(bench)).toBe(3)

    expect((await caller(bench, 'bob').create()).status).toBe(201)
    now += 39_500
    expect((await alice.create()).status).toBe(201)
    expect(creates(bench)).toBe(5)
  })

  it('holds across two handler instances sharing one Redis', async () => {
    const upstream = await startUpstream()
    const options = {
      rateLimit: { limit: 3, windowMs: 60_000 },
      maxConcurrentPredictions: false as const,
    }
    const first = await start(
      { ...options, limitStore: createRedisLimitStore(await redis.client(), { prefix: 'rate1:' }) },
      upstream,
    )
    const second = await start(
      { ...options, limitStore: createRedisLimitStore(await redis.client(), { prefix: 'rate1:' }) },
      upstream,
    )
    const statuses = []
    for (const bench of [first, second, first, second, first]) {
      statuses.push((await caller(bench, 'alice').create()).status)
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429])
    const refused = await caller(second, 'alice').create()
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(55)
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(upstream.predictions).toHaveLength(3)
    expect((await caller(second, 'bob').create()).status).toBe(201)
  })
})

describe('concurrency cap', () => {
  it('429s past the cap with Retry-After: 5, and frees a slot on cancel', async () => {
    const bench = await start({ rateLimit: false, maxConcurrentPredictions: 2 }, SLOW)
    const alice = caller(bench, 'alice')
    const first = (await alice.create()).json.id as string
    expect((await alice.create()).status).toBe(201)
    const refused = await alice.create()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(refused.json.detail).toMatch(/At most 2 predictions may run at once/)
    // At the cap, the two running predictions were checked upstream; nothing was created.
    expect(
      bench
        .upstreamCalls()
        .slice(2)
        .every((c) => c.startsWith('GET /v1/predictions/')),
    ).toBe(true)
    expect(creates(bench)).toBe(2)
    expect((await caller(bench, 'bob').create()).status).toBe(201)

    expect((await alice.cancel(first)).json.status).toBe('canceled')
    expect((await alice.create()).status).toBe(201)
    expect((await alice.create()).status).toBe(429)
  })

  it('frees the slot of a prediction that ended unseen, by checking upstream at the cap', async () => {
    const bench = await start({ rateLimit: false, maxConcurrentPredictions: 1 }, SLOW)
    const alice = caller(bench, 'alice')
    await alice.create()
    expect((await alice.create()).status).toBe(429)
    // The browser streamed it to the end and never asked the route again.
    bench.upstream.cancel(bench.upstream.predictions[0]!.id)
    expect((await alice.create()).status).toBe(201)
  })

  it('holds across two handler instances sharing one Redis', async () => {
    const upstream = await startUpstream(SLOW)
    const store = async (): Promise<LimitStore> =>
      createRedisLimitStore(await redis.client(), { prefix: 'cap1:' })
    const options = { rateLimit: false as const, maxConcurrentPredictions: 2 }
    const first = await start({ ...options, limitStore: await store() }, upstream)
    const second = await start({ ...options, limitStore: await store() }, upstream)
    const a = (await caller(first, 'alice').create()).json.id as string
    expect((await caller(second, 'alice').create()).status).toBe(201)
    const refused = await caller(first, 'alice').create()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect((await caller(second, 'alice').create()).status).toBe(429)
    expect(upstream.predictions).toHaveLength(2)

    await caller(second, 'alice').cancel(a)
    expect((await caller(first, 'alice').create()).status).toBe(201)
    expect(upstream.predictions).toHaveLength(3)
  })

  it('lets exactly the cap through when creates race on two instances', async () => {
    const upstream = await startUpstream(SLOW)
    const options = { rateLimit: false as const, maxConcurrentPredictions: 5 }
    const benches = [
      await start(
        {
          ...options,
          limitStore: createRedisLimitStore(await redis.client(), { prefix: 'race:' }),
        },
        upstream,
      ),
      await start(
        {
          ...options,
          limitStore: createRedisLimitStore(await redis.client(), { prefix: 'race:' }),
        },
        upstream,
      ),
    ]
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => caller(benches[i % 2]!, 'alice').create()),
    )
    const statuses = replies.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 201)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(25)
    expect(upstream.predictions).toHaveLength(5)
  })
})

describe('limit stores', () => {
  it.each([
    ['memory', async () => createMemoryLimitStore()],
    ['redis', async () => createRedisLimitStore(await redis.client(), { prefix: 'unit:' })],
  ])('%s: acquire, replace, release and members', async (_name, make) => {
    const store = await make()
    expect(await store.acquire('k', 'a', 2, 60_000)).toBe(true)
    expect(await store.acquire('k', 'b', 2, 60_000)).toBe(true)
    expect(await store.acquire('k', 'c', 2, 60_000)).toBe(false)
    expect(await store.acquire('k', 'a', 2, 60_000)).toBe(true) // already held
    await store.replace('k', 'a', 'z', 60_000)
    expect((await store.members('k')).sort()).toEqual(['b', 'z'])
    await store.release('k', 'b')
    await store.release('k', 'absent')
    expect(await store.members('k')).toEqual(['z'])
    expect(await store.hit('h', 2, 60_000)).toBe(0)
    expect(await store.hit('h', 2, 60_000)).toBe(0)
    const wait = await store.hit('h', 2, 60_000)
    expect(wait).toBeGreaterThan(59_000)
    expect(wait).toBeLessThanOrEqual(60_000)
  })

  it('memory: members expire after their ttl and windows after their length', async () => {
    let now = 0
    const store = createMemoryLimitStore({ now: () => now })
    await store.acquire('k', 'a', 1, 1_000)
    expect(await store.acquire('k', 'b', 1, 1_000)).toBe(false)
    now = 1_000
    expect(await store.acquire('k', 'b', 1, 1_000)).toBe(true)
    expect(await store.members('k')).toEqual(['b'])
    await store.hit('h', 1, 500)
    expect(await store.hit('h', 1, 500)).toBe(500)
    now = 1_500
    expect(await store.hit('h', 1, 500)).toBe(0)
  })

  it('503s a create when the store fails, with an onError line and no upstream call', async () => {
    const broken: LimitStore = {
      hit: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')),
      acquire: () => Promise.reject(new Error('unreachable')),
      replace: () => Promise.reject(new Error('unreachable')),
      release: () => Promise.reject(new Error('unreachable')),
      members: () => Promise.reject(new Error('unreachable')),
    }
    const bench = await start({ limitStore: broken })
    const reply = await caller(bench, 'alice').create({ model: LLAMA_3, input: { prompt: 'x' } })
    expect(reply.status).toBe(503)
    expect(reply.headers.get('retry-after')).toBe('5')
    expect(reply.text).not.toContain('ECONNREFUSED')
    expect(bench.errors.map((e) => [e.code, e.status])).toEqual([['limit_store_failed', 503]])
    expect(bench.upstreamCalls()).toEqual([])
  })
})
