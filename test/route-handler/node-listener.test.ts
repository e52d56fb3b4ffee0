/**
 * `toNodeListener` and bodies read by the app first: the handler mounted in a Node server the
 * way Express and Connect mount it, behind middleware that already consumed the request stream.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { toNodeListener, type NodeListener } from '../../src/server'
import { benchStarter, caller, HAIKU, LLAMA_3, read } from './harness'

const { start } = benchStarter()
const BODY = JSON.stringify({ model: LLAMA_3, input: HAIKU })

const servers: ReturnType<typeof createServer>[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  )
})

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

/** A Connect-like app: `middleware` in order, then `listener` mounted at `prefix`. */
async function connectApp(prefix: string, middleware: Middleware[], listener: NodeListener) {
  const server = createServer((req, res) => {
    const run = (index: number): void => {
      const step = middleware[index]
      if (step) return step(req, res, () => run(index + 1))
      // What Connect and Express do for `app.use(prefix, listener)`.
      const original = req.url ?? '/'
      Object.assign(req, { originalUrl: original, url: original.slice(prefix.length) || '/' })
      listener(req, res, (error) => {
        res.statusCode = 599
        res.end(String(error))
      })
    }
    run(0)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Reads the whole body, as `express.json()` / `express.text()` do, and leaves it on `req.body`. */
function bodyParser(parse: (text: string) => unknown): Middleware {
  return (req, _res, next) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      Object.assign(req, { body: parse(Buffer.concat(chunks).toString('utf8')) })
      next()
    })
  }
}

function post(url: string, body = BODY): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Test-User': 'alice' },
    body,
  })
}

describe('toNodeListener', () => {
  it('mounts under a prefix (req.originalUrl) and streams a large body through', async () => {
    const bench = await start()
    const origin = await connectApp('/api/predictions', [], toNodeListener(bench.handler))
    const big = JSON.stringify({
      model: LLAMA_3,
      input: { ...HAIKU, context: 'x'.repeat(900_000) },
    })
    const reply = await read(await post(`${origin}/api/predictions`, big))
    expect(reply.status).toBe(201)
    expect(reply.json.urls).toMatchObject({ get: `${origin}/api/predictions/${reply.json.id}` })
    expect(bench.upstream.predictions[0]!.input.context).toHaveLength(900_000)
  })

  it.each([
    ['express.json()', (text: string) => JSON.parse(text) as unknown],
    ['express.text()', (text: string) => text],
    ['express.raw()', (text: string) => Buffer.from(text)],
  ])('hands in the body that %s already read', async (_name, parse) => {
    const bench = await start()
    const origin = await connectApp('', [bodyParser(parse)], toNodeListener(bench.handler))
    const reply = await read(await post(`${origin}/api/predictions`))
    expect(reply.status).toBe(201)
    expect(bench.upstream.predictions[0]!.input).toEqual(HAIKU)
  })

  it('a parsed body is still checked for nesting (400) and size (413)', async () => {
    const bench = await start({ maxBodyBytes: 1000 })
    const origin = await connectApp(
      '',
      [bodyParser((t) => JSON.parse(t) as unknown)],
      toNodeListener(bench.handler),
    )
    const deep = `{"model":"${LLAMA_3}","input":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`
    expect((await post(`${origin}/api/predictions`, deep)).status).toBe(400)
    const textOrigin = await connectApp('', [bodyParser((t) => t)], toNodeListener(bench.handler))
    const big = JSON.stringify({ model: LLAMA_3, input: { p: 'x'.repeat(2000) } })
    expect((await post(`${textOrigin}/api/predictions`, big)).status).toBe(413)
    expect(bench.upstreamCalls()).toEqual([])
  })

  it('passes a throwing handler to next()', async () => {
    const origin = await connectApp(
      '',
      [],
      toNodeListener(() => Promise.reject(new Error('boom'))),
    )
    const response = await fetch(`${origin}/api/predictions`)
    expect(response.status).toBe(599)
    expect(await response.text()).toBe('Error: boom')
  })
})

describe('a body read before the handler (Web handler)', () => {
  it('is handed in as handler(request, { body }), as text or as parsed JSON', async () => {
    const bench = await start()
    for (const body of [BODY, JSON.parse(BODY) as object]) {
      const request = new Request(`${bench.origin}/api/predictions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Test-User': 'alice' },
        body: BODY,
      })
      await request.text() // an auth wrapper read it
      const response = await bench.handler(request, { body })
      expect(response.status).toBe(201)
    }
    expect(bench.upstream.predictions).toHaveLength(2)
  })

  it('without it, is a 500 with a log line that says how to fix it, instead of a throw', async () => {
    const bench = await start()
    const request = new Request(`${bench.origin}/api/predictions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Test-User': 'alice' },
      body: BODY,
    })
    await request.json()
    const response = await bench.handler(request)
    expect(response.status).toBe(500)
    expect(bench.errors.map((e) => e.code)).toEqual(['body_already_read'])
    expect(bench.errors[0]!.message).toMatch(/handler\(request, \{ body \}\)/)
    expect(bench.upstreamCalls()).toEqual([])
  })

  it("ignores a framework's own context (Next.js passes { params })", async () => {
    const bench = await start()
    const request = new Request(`${bench.origin}/api/predictions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Test-User': 'alice' },
      body: BODY,
    })
    // The shape `next build` checks a route export against.
    type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> }
    const POST: (request: Request, context: RouteContext) => Promise<Response> = bench.handler
    expect((await POST(request, { params: Promise.resolve({ path: [] }) })).status).toBe(201)
    expect((await caller(bench, 'alice').get('nope')).status).toBe(404)
  })
})
