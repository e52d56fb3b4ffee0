import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/core/errors'
import { MAX_BODY_BYTES, createPredictionHandler } from '../../src/server'
import type { PredictionHandlerError, PredictionHandlerOptions } from '../../src/server'

const TOKEN = 'r8_TestSecretToken0123456789'
const SECRET = 'route-handler-test-secret-0123456789abcdef'
/** The caller every request of this file comes from (see `authorize` in handlerFor). */
const USER = 'alice'

interface Recorded {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** Plays Replicate: records each request and answers per route with canned JSON. */
const received: Recorded[] = []
let upstream: Server
let baseUrl: string
let closedUrl: string

function prediction(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    model: 'acme/llm',
    version: 'hidden',
    input: { prompt: 'hi' },
    output: null,
    error: null,
    status: 'starting',
    created_at: '2024-10-01T00:00:00.000Z',
    urls: {
      get: `https://api.replicate.com/v1/predictions/${id}`,
      cancel: `https://api.replicate.com/v1/predictions/${id}/cancel`,
      stream: `https://stream.replicate.com/v1/files/${id}`,
    },
    ...extra,
  }
}

function answer(req: Recorded): { status: number; body: string; headers?: Record<string, string> } {
  const problemJson = { 'Content-Type': 'application/problem+json' }
  const model = /^\/v1\/models\/([^/]+\/[^/]+)\/predictions$/.exec(req.path)?.[1]
  if (req.method === 'POST' && model === 'acme/unauthorized') {
    const body = { title: 'Unauthenticated', detail: 'You did not pass a valid token', status: 401 }
    return { status: 401, body: JSON.stringify(body) + '\n', headers: problemJson }
  }
  if (req.method === 'POST' && model === 'acme/invalid') {
    const body = {
      detail: '- input: prompt is required\n',
      status: 422,
      title: 'Input validation failed',
      invalid_fields: [{ type: 'required', field: 'input', description: 'prompt is required' }],
    }
    return { status: 422, body: JSON.stringify(body), headers: problemJson }
  }
  if (req.method === 'POST' && model === 'acme/throttled') {
    return {
      status: 429,
      body: JSON.stringify({ detail: 'Request was throttled. Expected available in 7 seconds.' }),
      headers: {
        'Content-Type': 'application/json',
        'Retry-After': '7',
        'ratelimit-remaining': '0',
      },
    }
  }
  if (req.method === 'POST' && model === 'acme/echo') {
    // A misbehaving upstream that reflects the Authorization header in body and headers.
    const body = { detail: `bad header ${String(req.headers.authorization)}`, status: 400 }
    const headers = { ...problemJson, 'Set-Cookie': `t=${TOKEN}`, 'X-Echo': TOKEN }
    return { status: 400, body: JSON.stringify(body), headers }
  }
  if (req.method === 'POST' && model === 'acme/missing') {
    // Created, then gone by the time it is read (Replicate purges, or another account's id).
    return { status: 201, body: JSON.stringify(prediction('missing')) }
  }
  if (req.method === 'POST' && model === 'acme/html') {
    return { status: 503, body: '<html>Service Unavailable</html>', headers: { 'X-Up': '1' } }
  }
  if (req.method === 'POST' && model) {
    return { status: 201, body: JSON.stringify(prediction('newmodelpred', { model })) }
  }
  if (req.method === 'POST' && req.path === '/v1/predictions') {
    const { version } = JSON.parse(req.body) as { version: string }
    return { status: 201, body: JSON.stringify(prediction('newversionpred', { version })) }
  }
  const get = /^\/v1\/predictions\/([^/]+)$/.exec(req.path)?.[1]
  if (req.method === 'GET' && get === 'missing') {
    const body = { detail: 'The requested resource could not be found.', status: 404 }
    return { status: 404, body: JSON.stringify(body), headers: problemJson }
  }
  if (req.method === 'GET' && get) {
    return { status: 200, body: JSON.stringify(prediction(get, { status: 'processing' })) }
  }
  const cancel = /^\/v1\/predictions\/([^/]+)\/cancel$/.exec(req.path)?.[1]
  if (req.method === 'POST' && cancel) {
    return { status: 200, body: JSON.stringify(prediction(cancel, { status: 'canceled' })) }
  }
  return { status: 404, body: '{"detail":"Not found.","status":404}', headers: problemJson }
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      received.push(recorded)
      const { status, body, headers } = answer(recorded)
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=UTF-8',
        'Set-Cookie': 'session=upstream',
        ...headers,
      })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  // Trailing slash on purpose: the handler must tolerate it.
  baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1/`

  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1`
  await new Promise<void>((resolve) => closed.close(() => resolve()))
})

afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()))
})

beforeEach(() => {
  received.length = 0
})

/** What `onError` received since the test started. */
const logged: PredictionHandlerError[] = []
beforeEach(() => {
  logged.length = 0
})

function handlerFor(options: Partial<PredictionHandlerOptions> = {}) {
  return createPredictionHandler({
    token: TOKEN,
    secret: SECRET,
    baseUrl,
    allowedModels: '*',
    authorize: (request) => request.headers.get('x-user') ?? new Response(null, { status: 401 }),
    onError: (error) => logged.push(error),
    ...options,
  })
}

/** A reference to upstream prediction `model`'s create answer, made through `handler`. */
async function created(model = 'acme/llm', handler = handlerFor()): Promise<string> {
  const { res, json } = await call('POST', '/api/predictions', { model, input: {} }, handler)
  expect(res.status).toBe(201)
  received.length = 0
  return json.id as string
}

/** Calls the handler and checks what every response must satisfy. */
async function call(
  method: string,
  path: string,
  body?: unknown,
  handler = handlerFor(),
): Promise<{ res: Response; json: Record<string, unknown> }> {
  const init: RequestInit = { method, headers: { 'X-User': USER } }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    init.headers = { 'X-User': USER, 'Content-Type': 'application/json' }
  }
  const res = await handler(new Request(`http://app.test${path}`, init))
  const text = await res.text()
  expect(text).not.toContain(TOKEN)
  res.headers.forEach((value, name) => {
    expect(value).not.toContain(TOKEN)
    expect(name).not.toContain(TOKEN)
  })
  expect(res.headers.get('cache-control')).toBe('no-store')
  expect(res.headers.get('set-cookie')).toBeNull()
  const type = res.headers.get('content-type')
  expect(type).toMatch(
    res.ok ? /^application\/json; charset=utf-8$/ : /^application\/(problem\+)?json/,
  )
  return { res, json: JSON.parse(text) as Record<string, unknown> }
}

function expectProblem(json: Record<string, unknown>, status: number) {
  expect(json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) })
}

describe('createPredictionHandler: upstream calls', () => {
  it('creates by model: POST {base}/models/{owner}/{name}/predictions with { input }', async () => {
    const { res, json } = await call('POST', '/api/predictions', {
      model: 'acme/llm',
      input: { prompt: 'hi' },
      webhook: 'https://attacker.example/hook',
    })
    expect(res.status).toBe(201)
    // Replicate's id is replaced by a reference; only named fields are passed on.
    expect(json).toEqual({
      id: expect.stringMatching(/^[\w-]{60,}$/),
      status: 'starting',
      output: null,
      error: null,
      created_at: '2024-10-01T00:00:00.000Z',
      urls: {
        get: `http://app.test/api/predictions/${String(json.id)}`,
        cancel: `http://app.test/api/predictions/${String(json.id)}/cancel`,
        stream: 'https://stream.replicate.com/v1/files/newmodelpred',
      },
    })
    expect(received).toHaveLength(1)
    const [req] = received
    expect(req).toMatchObject({ method: 'POST', path: '/v1/models/acme/llm/predictions' })
    expect(JSON.parse(req!.body)).toEqual({ input: { prompt: 'hi' } })
    expect(req!.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(req!.headers['content-type']).toBe('application/json')
    expect(req!.headers.accept).toBe('application/json')
  })

  it('creates by version: POST {base}/predictions with { version, input }', async () => {
    const { res, json } = await call('POST', '/api/predictions/', { version: 'v1abc', input: {} })
    expect(res.status).toBe(201)
    expect(json).toMatchObject({
      status: 'starting',
      urls: { stream: expect.stringMatching(/newversionpred$/) },
    })
    expect(json.version).toBeUndefined()
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ method: 'POST', path: '/v1/predictions' })
    expect(JSON.parse(received[0]!.body)).toEqual({ version: 'v1abc', input: {} })
    expect(received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('gets a prediction: GET {base}/predictions/{id}', async () => {
    const reference = await created()
    const { res, json } = await call('GET', `/api/predictions/${reference}`)
    expect(res.status).toBe(200)
    expect(json).toMatchObject({ id: reference, status: 'processing' })
    expect(received.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/v1/predictions/newmodelpred'],
    ])
    expect(received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('cancels a prediction: POST {base}/predictions/{id}/cancel', async () => {
    const reference = await created()
    const { res, json } = await call('POST', `/api/predictions/${reference}/cancel`)
    expect(res.status).toBe(200)
    expect(json).toMatchObject({ id: reference, status: 'canceled' })
    expect(received.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/v1/predictions/newmodelpred/cancel'],
    ])
    expect(received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('uses the injected fetch with cache: no-store, on a custom endpoint', async () => {
    const inits: RequestInit[] = []
    const handler = handlerFor({
      endpoint: '/replicate/',
      fetch: (input, init) => {
        inits.push(init ?? {})
        return fetch(input, init)
      },
    })
    const { res, json } = await call(
      'POST',
      '/replicate',
      { model: 'acme/llm', input: {} },
      handler,
    )
    expect(res.status).toBe(201)
    expect(json.urls).toMatchObject({ get: `http://app.test/replicate/${String(json.id)}` })
    expect(
      (await call('GET', `/replicate/${String(json.id)}`, undefined, handler)).res.status,
    ).toBe(200)
    expect(inits).toHaveLength(2)
    expect(inits.map((init) => [init.cache, init.redirect])).toEqual([
      ['no-store', 'error'],
      ['no-store', 'error'],
    ])
    const elsewhere = await call('GET', `/api/predictions/${String(json.id)}`, undefined, handler)
    expect(elsewhere.res.status).toBe(404)
    expect(inits).toHaveLength(2)
  })
})

describe('createPredictionHandler: upstream errors pass through', () => {
  it('keeps 401 status and problem body', async () => {
    const { res, json } = await call('POST', '/api/predictions', {
      model: 'acme/unauthorized',
      input: {},
    })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    expect(json).toEqual({
      title: 'Unauthenticated',
      detail: 'You did not pass a valid token',
      status: 401,
    })
  })

  it('keeps 422 invalid_fields', async () => {
    const { res, json } = await call('POST', '/api/predictions', {
      model: 'acme/invalid',
      input: {},
    })
    expect(res.status).toBe(422)
    expect(json.invalid_fields).toEqual([
      { type: 'required', field: 'input', description: 'prompt is required' },
    ])
  })

  it('forwards Retry-After on 429 and no other upstream header', async () => {
    const { res, json } = await call('POST', '/api/predictions', {
      model: 'acme/throttled',
      input: {},
    })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(res.headers.get('ratelimit-remaining')).toBeNull()
    expect(json.detail).toMatch(/throttled/)
  })

  it('keeps 404 from GET of a prediction upstream no longer knows', async () => {
    const reference = await created('acme/missing')
    const { res, json } = await call('GET', `/api/predictions/${reference}`)
    expect(res.status).toBe(404)
    expect(json.detail).toBe('The requested resource could not be found.')
    expect(received.map((r) => r.path)).toEqual(['/v1/predictions/missing'])
  })

  it('withholds upstream text that echoes the token, instead of rewriting it', async () => {
    const { res, json } = await call('POST', '/api/predictions', { model: 'acme/echo', input: {} })
    expect(res.status).toBe(400)
    expect(json.detail).toBe('The prediction API answered HTTP 400.')
    expect(res.headers.get('x-echo')).toBeNull()
  })

  it('keeps the status of a non-JSON upstream error (a proxy error page), with a problem body', async () => {
    const { res, json } = await call('POST', '/api/predictions', { model: 'acme/html', input: {} })
    expect(res.status).toBe(503)
    expectProblem(json, 503)
    expect(json.detail).toMatch(/503.*not JSON/)
    expect(res.headers.get('x-up')).toBeNull()
  })

  it('answers 502 when upstream is unreachable, without request details, and logs it', async () => {
    const reference = await created()
    const handler = handlerFor({ baseUrl: closedUrl })
    const { res, json } = await call('GET', `/api/predictions/${reference}`, undefined, handler)
    expect(res.status).toBe(502)
    expectProblem(json, 502)
    expect(json.detail).toMatch(/could not be reached/)
    expect(JSON.stringify(json)).not.toMatch(/authorization|bearer|127\.0\.0\.1/i)
    expect(logged.map((e) => [e.code, e.status])).toEqual([['upstream_unreachable', 502]])
  })
})

describe('createPredictionHandler: request validation', () => {
  it.each([
    ['invalid JSON', '{"model": '],
    ['a non-object body', '[1, 2]'],
    ['both model and version', { model: 'acme/llm', version: 'v1', input: {} }],
    ['neither model nor version', { input: {} }],
    ['array input', { model: 'acme/llm', input: [] }],
    ['string input', { model: 'acme/llm', input: 'hi' }],
    ['missing input', { model: 'acme/llm' }],
    ['a model without owner', { model: 'llm', input: {} }],
    ['a traversing model', { model: '../..', input: {} }],
    ['an empty version', { version: ' ', input: {} }],
  ])('400 on %s', async (_name, body) => {
    const { res, json } = await call('POST', '/api/predictions', body)
    expect(res.status).toBe(400)
    expectProblem(json, 400)
    expect(received).toHaveLength(0)
  })

  it('403 for a model or version not in allowedModels', async () => {
    const handler = handlerFor({ allowedModels: ['acme/llm', 'v-allowed'] })
    const denied = await call(
      'POST',
      '/api/predictions',
      { model: 'acme/other', input: {} },
      handler,
    )
    expect(denied.res.status).toBe(403)
    expectProblem(denied.json, 403)
    const version = await call(
      'POST',
      '/api/predictions',
      { version: 'v-other', input: {} },
      handler,
    )
    expect(version.res.status).toBe(403)
    expect(received).toHaveLength(0)

    const allowed = await call(
      'POST',
      '/api/predictions',
      { model: 'acme/llm', input: {} },
      handler,
    )
    expect(allowed.res.status).toBe(201)
    const byVersion = await call(
      'POST',
      '/api/predictions',
      { version: 'v-allowed', input: {} },
      handler,
    )
    expect(byVersion.res.status).toBe(201)
  })

  it('413 on a body over 1 MiB', async () => {
    const body = JSON.stringify({ model: 'acme/llm', input: { p: 'x'.repeat(MAX_BODY_BYTES) } })
    const { res, json } = await call('POST', '/api/predictions', body)
    expect(res.status).toBe(413)
    expectProblem(json, 413)
    expect(received).toHaveLength(0)
  })
})

describe('createPredictionHandler: routing', () => {
  it.each([
    ['GET', '/elsewhere'],
    ['POST', '/api/predictionsX'],
    ['GET', '/api/predictions/abc/logs'],
    ['POST', '/api/predictions/abc/cancel/now'],
    ['GET', '/api/models'],
  ])('404 for %s %s', async (method, path) => {
    const { res, json } = await call(method, path)
    expect(res.status).toBe(404)
    expectProblem(json, 404)
    expect(received).toHaveLength(0)
  })

  it.each([
    ['GET', '/api/predictions', 'POST'],
    ['DELETE', '/api/predictions', 'POST'],
    ['POST', '/api/predictions/abc', 'GET'],
    ['GET', '/api/predictions/abc/cancel', 'POST'],
  ])('405 for %s %s with Allow: %s', async (method, path, allow) => {
    const { res, json } = await call(method, path)
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe(allow)
    expectProblem(json, 405)
    expect(received).toHaveLength(0)
  })

  it.each([
    ['GET', '/api/predictions/..%2Fmodels'],
    ['GET', '/api/predictions/a%2F..%2F..%2Fmodels'],
    ['POST', '/api/predictions/..%2Fmodels%2Facme%2Fllm/cancel'],
    ['GET', '/api/predictions/abc%3Fx=1'],
  ])('404 for a traversing id: %s %s, with no upstream request', async (method, path) => {
    const { res, json } = await call(method, path)
    expect(res.status).toBe(404)
    expectProblem(json, 404)
    expect(received).toHaveLength(0)
  })
})

describe('createPredictionHandler: options', () => {
  it.each([
    ['empty', { token: '' }],
    ['not a string', { token: 42 }],
  ])('throws InvalidOptionsError synchronously when the token is %s', (_name, options) => {
    const invalid = { allowedModels: '*', ...options } as PredictionHandlerOptions
    expect(() => createPredictionHandler(invalid)).toThrow(InvalidOptionsError)
  })

  it('a missing token is a 500 at request time, not a throw at creation', async () => {
    const previous = process.env.REPLICATE_API_TOKEN
    delete process.env.REPLICATE_API_TOKEN
    try {
      const handler = handlerFor({ token: undefined })
      const { res, json } = await call(
        'POST',
        '/api/predictions',
        { model: 'acme/llm', input: {} },
        handler,
      )
      expect(res.status).toBe(500)
      expectProblem(json, 500)
      expect(logged.map((e) => e.code)).toEqual(['missing_token'])
      expect(received).toHaveLength(0)
    } finally {
      if (previous !== undefined) process.env.REPLICATE_API_TOKEN = previous
    }
  })

  it('throws InvalidOptionsError on a relative baseUrl, or without allowedModels', () => {
    expect(() =>
      createPredictionHandler({ token: TOKEN, baseUrl: '/v1', allowedModels: '*' }),
    ).toThrow(InvalidOptionsError)
    expect(() =>
      createPredictionHandler({ token: TOKEN, baseUrl } as PredictionHandlerOptions),
    ).toThrow(InvalidOptionsError)
  })
})
