/**
 * Ownership: a prediction is reachable only through the reference its creator got, by that same
 * caller, until the reference expires. Two callers, A and B, against the local server over HTTP.
 */
import { describe, expect, it } from 'vitest'
import { SESSION_COOKIE } from '../../src/server'
import { benchStarter, caller, HAIKU, LLAMA_3, read, REAL_LOOKING_TOKEN, SECRET } from './harness'

const { start } = benchStarter()

/** Flips one character of the reference's middle (its MAC or payload). */
function tamper(reference: string, at: number): string {
  const c = reference[at]!
  return reference.slice(0, at) + (c === 'A' ? 'B' : 'A') + reference.slice(at + 1)
}

describe('ownership of predictions', () => {
  it("gives A a signed reference instead of Replicate's id, and the route's own URLs", async () => {
    const bench = await start()
    const a = caller(bench, 'alice')
    const created = await a.create()
    expect(created.status).toBe(201)
    const [upstream] = bench.upstream.predictions
    const reference = created.json.id as string
    expect(reference).toMatch(/^[A-Za-z0-9_-]{60,}$/)
    expect(reference).not.toBe(upstream!.id)
    expect(created.json.urls).toEqual({
      get: `${bench.endpoint}/${reference}`,
      cancel: `${bench.endpoint}/${reference}/cancel`,
      stream: upstream!.urls.stream,
    })
    const got = await a.get(reference)
    expect(got.status).toBe(200)
    expect(got.json).toMatchObject({ id: reference, status: expect.any(String) })
    expect(bench.upstreamCalls()).toEqual([
      `POST /v1/models/${LLAMA_3}/predictions`,
      `GET /v1/predictions/${upstream!.id}`,
    ])
  })

  it("404s B's GET and cancel of A's prediction, and nothing reaches upstream", async () => {
    const bench = await start({}, { cadence: 'realistic' })
    const a = caller(bench, 'alice')
    const b = caller(bench, 'bob')
    const reference = (await a.create()).json.id as string
    const before = bench.upstreamCalls().length

    const read = await b.get(reference)
    const cancel = await b.cancel(reference)
    expect([read.status, cancel.status]).toEqual([404, 404])
    expect(read.json).toMatchObject({ status: 404, title: 'Not found' })
    expect(read.text).not.toContain('prompt')
    expect(bench.upstreamCalls()).toHaveLength(before)
    expect(bench.upstream.predictions[0]!.status).not.toBe('canceled')

    // A still owns it.
    expect((await a.cancel(reference)).json).toMatchObject({ id: reference, status: 'canceled' })
  })

  it('404s a GET or cancel of a prediction created on /v1 directly, by id, with no upstream call', async () => {
    const bench = await start({}, { cadence: 'realistic' })
    const direct = await fetch(`${bench.upstream.apiUrl}/models/${LLAMA_3}/predictions`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${REAL_LOOKING_TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ input: HAIKU }),
    })
    const { id } = (await direct.json()) as { id: string }
    const before = bench.upstreamCalls().length
    const b = caller(bench, 'bob')
    expect((await b.get(id)).status).toBe(404)
    expect((await b.cancel(id)).status).toBe(404)
    expect(bench.upstreamCalls()).toHaveLength(before)
    expect(bench.upstream.predictions[0]!.status).not.toBe('canceled')
  })

  it('404s tampered, truncated and extended references, with no upstream call', async () => {
    const bench = await start()
    const a = caller(bench, 'alice')
    const reference = (await a.create()).json.id as string
    const before = bench.upstreamCalls().length
    const forged = [
      tamper(reference, 3), // expiry
      tamper(reference, 12), // prediction id
      tamper(reference, reference.length - 5), // MAC
      reference.slice(0, -1),
      reference + 'A',
      reference.slice(0, 40),
      '..%2Fmodels',
      'a'.repeat(2000),
    ]
    for (const forgery of forged) {
      expect([forgery, (await a.get(forgery)).status]).toEqual([forgery, 404])
      expect([forgery, (await a.cancel(forgery)).status]).toEqual([forgery, 404])
    }
    expect(bench.upstreamCalls()).toHaveLength(before)
  })

  it('404s an expired reference, with no upstream call', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z')
    const bench = await start({ referenceTtlMs: 60_000, now: () => now })
    const a = caller(bench, 'alice')
    const reference = (await a.create()).json.id as string
    now += 59_000
    expect((await a.get(reference)).status).toBe(200)
    const before = bench.upstreamCalls().length
    now += 1_000
    expect((await a.get(reference)).status).toBe(404)
    expect((await a.cancel(reference)).status).toBe(404)
    expect(bench.upstreamCalls()).toHaveLength(before)
  })

  it('agrees across handler instances that share the secret, and not with another secret', async () => {
    const first = await start()
    const second = await start({}, first.upstream)
    const other = await start(
      { secret: 'another-secret-0123456789abcdef0123456789' },
      first.upstream,
    )
    const reference = (await caller(first, 'alice').create()).json.id as string
    expect((await caller(second, 'alice').get(reference)).status).toBe(200)
    expect((await caller(other, 'alice').get(reference)).status).toBe(404)
  })

  it('verifies with every secret of a rotation and signs with the first', async () => {
    const old = await start()
    const rotated = await start(
      { secret: ['fresh-secret-0123456789abcdef0123456789abcd', SECRET] },
      old.upstream,
    )
    const reference = (await caller(old, 'alice').create()).json.id as string
    expect((await caller(rotated, 'alice').get(reference)).status).toBe(200)
    const fresh = (await caller(rotated, 'alice').create()).json.id as string
    expect((await caller(old, 'alice').get(fresh)).status).toBe(404)
  })

  it('asks authorize on every route and sends its Response as it is, with no upstream call', async () => {
    const bench = await start()
    const anonymous = caller(bench, null)
    const reference = (await caller(bench, 'alice').create()).json.id as string
    const before = bench.upstreamCalls().length
    for (const reply of [
      await anonymous.create(),
      await anonymous.get(reference),
      await anonymous.cancel(reference),
    ]) {
      expect(reply.status).toBe(401)
      expect(reply.json).toEqual({ detail: 'Sign in first.', status: 401 })
      expect(reply.headers.get('cache-control')).toBe('no-store')
    }
    expect(bench.upstreamCalls()).toHaveLength(before)
  })
})

describe('the anonymous default: one session per browser, in a signed cookie', () => {
  it('sets an HttpOnly SameSite=Lax session cookie on the first create, scoped to the endpoint', async () => {
    const bench = await start({ authorize: undefined })
    const created = await read(
      await fetch(bench.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: LLAMA_3, input: HAIKU }),
      }),
    )
    expect(created.status).toBe(201)
    const cookie = created.headers.get('set-cookie')!
    expect(cookie).toMatch(
      new RegExp(
        `^${SESSION_COOKIE}=[\\w-]+\\.[\\w-]+; Path=/api/predictions; HttpOnly; SameSite=Lax$`,
      ),
    )
    const session = cookie.split(';')[0]!
    const reference = created.json.id as string
    const withCookie = (path: string, init: RequestInit = {}) =>
      fetch(`${bench.endpoint}${path}`, { ...init, headers: { Cookie: session } })

    // The same browser session reads and cancels it, and gets no new cookie.
    const got = await withCookie(`/${reference}`)
    expect(got.status).toBe(200)
    expect(got.headers.get('set-cookie')).toBeNull()
    expect((await withCookie(`/${reference}/cancel`, { method: 'POST' })).status).toBe(200)

    // Another session, a forged cookie, or none: 404, and nothing upstream.
    const before = bench.upstreamCalls().length
    const second = await fetch(bench.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: LLAMA_3, input: HAIKU }),
    })
    const otherSession = second.headers.get('set-cookie')!.split(';')[0]!
    expect(otherSession).not.toBe(session)
    const afterCreate = bench.upstreamCalls().length
    expect(afterCreate).toBe(before + 1)
    const forged = session.replace(/\.[\w-]{4}/, '.AAAA')
    for (const cookieHeader of [otherSession, forged, '']) {
      const headers: Record<string, string> = cookieHeader ? { Cookie: cookieHeader } : {}
      const reply = await fetch(`${bench.endpoint}/${reference}`, { headers })
      expect([cookieHeader, reply.status]).toEqual([cookieHeader, 404])
      expect(reply.headers.get('set-cookie')).toBeNull()
    }
    expect(bench.upstreamCalls()).toHaveLength(afterCreate)
  })

  it('marks the cookie Secure when the route is served over https', async () => {
    const bench = await start({ authorize: undefined })
    const response = await bench.handler(
      new Request('https://app.example/api/predictions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: LLAMA_3, input: HAIKU }),
      }),
    )
    expect(response.status).toBe(201)
    expect(response.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Lax; Secure$/)
  })
})
