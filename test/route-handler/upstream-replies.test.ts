/**
 * How upstream's answers reach the caller: errors keep status, `title`, `detail`,
 * `invalid_fields` and `Retry-After`; a hung, unreachable, oversize or malformed upstream is a
 * 5xx with a line for `onError`; the caller's abort reaches upstream.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { benchStarter, caller, HAIKU, LLAMA_3 } from './harness'

const { start, startUpstream } = benchStarter()

/** A scripted upstream: `serve` answers every request; its requests are kept in `received`. */
const scripted: Server[] = []
afterEach(async () => {
  await Promise.all(
    scripted.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    ),
  )
})

async function scriptedUpstream(
  serve: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ apiUrl: string; received: IncomingMessage[] }> {
  const received: IncomingMessage[] = []
  const server = createServer((req, res) => {
    received.push(req)
    serve(req, res)
  })
  scripted.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, received }
}

/** A bench whose handler calls the scripted upstream at `apiUrl`. */
async function benchOn(apiUrl: string, options = {}) {
  return start({ baseUrl: apiUrl, ...options })
}

describe('upstream errors pass through', () => {
  it.each([
    [401, 'Unauthenticated', 'You did not pass a valid authentication token'],
    [402, 'Insufficient credit', 'You have insufficient credit to run this model.'],
  ])('%i keeps title and detail, and tells onError', async (status, title, detail) => {
    const upstream = await startUpstream({
      faults: { create: { status, body: { title, detail, status } } },
    })
    const bench = await start({}, upstream)
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(status)
    expect(reply.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    expect(reply.json).toEqual({ title, detail, status })
    expect(bench.errors.map((e) => [e.code, e.status])).toEqual([['upstream_refused', status]])
  })

  it('401 when the token is wrong: the local server refuses it', async () => {
    const bench = await start({ token: 'r8_WrongTokenWrongTokenWrongTokenWrong00' })
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(401)
    expect(reply.json).toMatchObject({ status: 401, detail: expect.stringMatching(/token/) })
    expect(bench.errors.map((e) => e.code)).toEqual(['upstream_refused'])
  })

  it("422 keeps Replicate's invalid_fields", async () => {
    const bench = await start()
    const reply = await caller(bench, 'alice').create({ model: LLAMA_3, input: { top_p: 2 } })
    expect(reply.status).toBe(422)
    expect(reply.json).toMatchObject({ status: 422, title: 'Input validation failed' })
    expect(reply.json.invalid_fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: expect.any(String), type: expect.any(String) }),
      ]),
    )
    expect(reply.json.detail).toEqual(expect.stringContaining('- input'))
    expect(bench.errors).toEqual([])
  })

  it('429 keeps detail and Retry-After, and drops every other upstream header', async () => {
    const upstream = await startUpstream({
      faults: { create: { status: 429, retryAfterSeconds: 7 } },
    })
    const bench = await start({}, upstream)
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(429)
    expect(reply.headers.get('retry-after')).toBe('7')
    expect(reply.json.detail).toMatch(/throttled/)
    expect(reply.headers.get('ratelimit-remaining')).toBeNull()
    expect(bench.errors).toEqual([])
  })

  it('a non-JSON error page keeps its status and Retry-After with a problem body', async () => {
    const { apiUrl } = await scriptedUpstream((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'text/html', 'Retry-After': '3', 'X-Up': '1' })
      res.end('<html>Service Unavailable</html>')
    })
    const bench = await benchOn(apiUrl)
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(503)
    expect(reply.headers.get('retry-after')).toBe('3')
    expect(reply.headers.get('x-up')).toBeNull()
    expect(reply.json).toMatchObject({
      status: 503,
      detail: expect.stringMatching(/503.*not JSON/),
    })
  })

  it('404 from upstream for an owned reference passes through', async () => {
    const upstream = await startUpstream()
    const bench = await start({}, upstream)
    const reference = (await caller(bench, 'alice').create()).json.id as string
    const other = await startUpstream()
    const moved = await start({}, other)
    const reply = await caller(moved, 'alice').get(reference)
    expect(reply.status).toBe(404)
    expect(reply.json).toMatchObject({ status: 404, detail: expect.any(String) })
    expect(moved.upstreamCalls()).toHaveLength(1)
  })
})

describe('upstream failures are 5xx with a log line', () => {
  it('502 when upstream is unreachable', async () => {
    const { apiUrl } = await scriptedUpstream(() => {})
    const closed = new URL(apiUrl)
    await Promise.all(
      scripted.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    )
    const bench = await benchOn(closed.href.replace(/\/$/, ''))
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(502)
    expect(reply.json).toMatchObject({
      status: 502,
      detail: 'The prediction API could not be reached.',
    })
    expect(bench.errors.map((e) => [e.code, e.status])).toEqual([['upstream_unreachable', 502]])
    expect(bench.errors[0]!.message).toMatch(
      /POST \/models\/meta\/meta-llama-3-8b-instruct\/predictions/,
    )
  })

  it('504 after upstreamTimeoutMs when upstream hangs', async () => {
    const { apiUrl, received } = await scriptedUpstream(() => {})
    const bench = await benchOn(apiUrl, { upstreamTimeoutMs: 200 })
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(504)
    expect(bench.errors.map((e) => [e.code, e.status])).toEqual([['upstream_timeout', 504]])
    expect(received).toHaveLength(1)
  })

  it("passes the caller's abort on to upstream", async () => {
    let arrived!: () => void
    const arrival = new Promise<void>((resolve) => (arrived = resolve))
    let upstreamClosed!: () => void
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve))
    const { apiUrl } = await scriptedUpstream((req, res) => {
      res.once('close', upstreamClosed)
      arrived()
    })
    const bench = await benchOn(apiUrl)
    const controller = new AbortController()
    const request = fetch(bench.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Test-User': 'alice' },
      body: JSON.stringify({ model: LLAMA_3, input: HAIKU }),
      signal: controller.signal,
    }).catch((error: unknown) => error)
    await arrival
    controller.abort()
    await closed
    expect(await request).toBeInstanceOf(Error)
    // An abort is the caller leaving, not a server failure.
    expect(bench.errors).toEqual([])
  })

  it('refuses an upstream reply over maxUpstreamBytes without reading it whole', async () => {
    let sent = 0
    let upstreamClosed!: () => void
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve))
    const chunk = Buffer.alloc(64 * 1024, 'a')
    const { apiUrl } = await scriptedUpstream((_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json' })
      res.write('{"id":"x","status":"starting","output":"')
      res.once('close', upstreamClosed)
      // An endless body: only a reader that stops makes this end.
      const more = (): void => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length
        if (!res.destroyed) res.once('drain', more)
      }
      more()
    })
    const bench = await benchOn(apiUrl, { maxUpstreamBytes: 1024 * 1024 })
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(502)
    expect(bench.errors.map((e) => e.code)).toEqual(['upstream_too_large'])
    await closed
    expect(sent).toBeLessThan(16 * 1024 * 1024)
  })

  it('refuses a declared Content-Length over maxUpstreamBytes before reading', async () => {
    const { apiUrl } = await scriptedUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(50e6) })
      res.write('{')
    })
    const bench = await benchOn(apiUrl, { maxUpstreamBytes: 1024 * 1024 })
    expect((await caller(bench, 'alice').create()).status).toBe(502)
    expect(bench.errors.map((e) => e.code)).toEqual(['upstream_too_large'])
  })

  it.each([
    ['not JSON', 201, 'Created'],
    [
      'JSON nested 5,000 deep',
      201,
      `{"id":"abc","status":"starting","output":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    ],
    ['no id', 201, '{"status":"starting"}'],
    ['an id unfit for a URL path', 201, '{"id":"../models","status":"starting"}'],
    ['an unknown status', 201, '{"id":"abc","status":"exploded"}'],
    ['a redirect', 302, ''],
  ])('502 for a success that is %s', async (_name, status, body) => {
    const { apiUrl } = await scriptedUpstream((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json', Location: 'http://127.0.0.1:1/' })
      res.end(body)
    })
    const bench = await benchOn(apiUrl)
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(502)
    expect(reply.json).toMatchObject({ status: 502, title: 'Bad gateway' })
    expect(bench.errors).toHaveLength(1)
    expect(['upstream_invalid', 'upstream_unreachable']).toContain(bench.errors[0]!.code)
  })

  it('502 when GET answers with another prediction than the referenced one', async () => {
    let id = 'first'
    const { apiUrl } = await scriptedUpstream((_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ id, status: 'starting', urls: {} }))
      id = 'second'
    })
    const bench = await benchOn(apiUrl)
    const alice = caller(bench, 'alice')
    const reference = (await alice.create()).json.id as string
    const reply = await alice.get(reference)
    expect(reply.status).toBe(502)
    expect(bench.errors.map((e) => e.code)).toEqual(['upstream_invalid'])
  })

  it('the default onError writes to console.error', async () => {
    const { apiUrl } = await scriptedUpstream(() => {})
    const lines: unknown[][] = []
    const original = console.error
    console.error = (...args: unknown[]) => void lines.push(args)
    try {
      const bench = await start({ baseUrl: apiUrl, onError: undefined, upstreamTimeoutMs: 100 })
      expect((await caller(bench, 'alice').create()).status).toBe(504)
    } finally {
      console.error = original
    }
    expect(lines).toHaveLength(1)
    expect(String(lines[0]![0])).toMatch(
      /PredictionHandlerError: The prediction API did not answer/,
    )
  })
})
