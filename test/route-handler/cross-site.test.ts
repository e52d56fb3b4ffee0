/**
 * Cross-site requests: a page on another origin must not create (or read, or cancel) predictions
 * on the app's bill, whether by a simple POST that needs no preflight or by a CORS request.
 */
import { describe, expect, it } from 'vitest'
import { benchStarter, caller, HAIKU, LLAMA_3 } from './harness'

const { start } = benchStarter()
const BODY = JSON.stringify({ model: LLAMA_3, input: HAIKU })

describe('cross-site requests', () => {
  it.each([
    ['text/plain', 'text/plain;charset=UTF-8'],
    ['a form encoding', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['no Content-Type', undefined],
  ])('415 for a create sent as %s, with no upstream call', async (_name, type) => {
    const bench = await start()
    const reply = await caller(bench, 'alice').request('', {
      method: 'POST',
      headers: type ? { 'Content-Type': type } : {},
      body: type ? BODY : new Blob([BODY]),
    })
    expect(reply.status).toBe(415)
    expect(reply.json).toMatchObject({ status: 415, title: 'Unsupported media type' })
    expect(reply.headers.get('accept-post')).toBe('application/json')
    expect(bench.upstreamCalls()).toEqual([])
  })

  it('accepts application/json with parameters', async () => {
    const bench = await start()
    const reply = await caller(bench, 'alice').create(undefined, {
      'Content-Type': 'Application/JSON; charset=utf-8',
    })
    expect(reply.status).toBe(201)
  })

  it.each([
    ['another origin', 'https://evil.example'],
    ['another port of the same host', 'http://127.0.0.1:1'],
    ['an opaque origin', 'null'],
  ])('403 for a create, GET and cancel from %s, with no upstream call', async (_name, origin) => {
    const bench = await start()
    const alice = caller(bench, 'alice')
    const reference = (await alice.create()).json.id as string
    const before = bench.upstreamCalls().length
    const replies = [
      await alice.create(undefined, { Origin: origin }),
      await alice.request(`/${reference}`, { headers: { Origin: origin } }),
      await alice.request(`/${reference}/cancel`, { method: 'POST', headers: { Origin: origin } }),
    ]
    expect(replies.map((r) => r.status)).toEqual([403, 403, 403])
    expect(replies[0]!.json).toMatchObject({ status: 403, title: 'Cross-site request refused' })
    expect(replies[0]!.headers.get('access-control-allow-origin')).toBeNull()
    expect(bench.upstreamCalls()).toHaveLength(before)
  })

  it('403 for a cross-site request without Origin (Sec-Fetch-Site: cross-site)', async () => {
    const bench = await start()
    const reply = await caller(bench, 'alice').create(undefined, { 'Sec-Fetch-Site': 'cross-site' })
    expect(reply.status).toBe(403)
    expect(bench.upstreamCalls()).toEqual([])
  })

  it("accepts the route's own origin, and its https form behind a TLS-terminating proxy", async () => {
    const bench = await start()
    const alice = caller(bench, 'alice')
    expect((await alice.create(undefined, { Origin: bench.origin })).status).toBe(201)
    const https = bench.origin.replace('http://', 'https://')
    expect((await alice.create(undefined, { Origin: https })).status).toBe(201)
    expect((await alice.create(undefined, { 'Sec-Fetch-Site': 'same-origin' })).status).toBe(201)
  })

  it('accepts a browser’s same-origin call whose Origin is not the request URL’s (next start)', async () => {
    const bench = await start()
    const headers = { Origin: 'http://127.0.0.1:1', 'Sec-Fetch-Site': 'same-origin' }
    expect((await caller(bench, 'alice').create(undefined, headers)).status).toBe(201)
    const crossSite = { ...headers, 'Sec-Fetch-Site': 'cross-site' }
    expect((await caller(bench, 'alice').create(undefined, crossSite)).status).toBe(403)
  })

  it('answers preflights of allowedOrigins and adds CORS headers to their responses', async () => {
    const app = 'https://app.example'
    const bench = await start({ allowedOrigins: [app] })
    const preflight = await caller(bench, null).request('', {
      method: 'OPTIONS',
      headers: {
        Origin: app,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-test-user',
      },
    })
    expect(preflight.status).toBe(204)
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': app,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'content-type, x-test-user',
      vary: 'Origin',
    })
    const created = await caller(bench, 'alice').create(undefined, { Origin: app })
    expect(created.status).toBe(201)
    expect(created.headers.get('access-control-allow-origin')).toBe(app)
    expect(created.headers.get('access-control-expose-headers')).toBe('Retry-After')
    const refused = await caller(bench, 'alice').create(undefined, {
      Origin: 'https://evil.example',
    })
    expect(refused.status).toBe(403)
    const foreignPreflight = await caller(bench, null).request('', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    })
    expect(foreignPreflight.status).toBe(403)
    expect(bench.upstreamCalls()).toHaveLength(1)
  })
})
