/**
 * What the handler refuses before anything reaches upstream: wrong routes and methods, oversize,
 * malformed and deeply nested bodies, disallowed models, versions and deployments, and a
 * misconfigured server (no token, no secret), which must also leave a log line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidOptionsError } from '../../src/core/errors'
import { createPredictionHandler, MAX_BODY_BYTES } from '../../src/server'
import { benchStarter, caller, HAIKU, LLAMA_3, REAL_LOOKING_TOKEN, SECRET } from './harness'

const { start } = benchStarter()

afterEach(() => {
  vi.unstubAllEnvs()
})

function deep(levels: number): string {
  return `{"model":"${LLAMA_3}","input":{"prompt":"x","extra":${'['.repeat(levels)}${']'.repeat(levels)}}}`
}

describe('routing and methods', () => {
  it.each([
    ['GET', '/elsewhere'],
    ['POST', '/api/predictionsX'],
    ['GET', '/api/predictions/abc/logs'],
    ['POST', '/api/predictions/abc/cancel/now'],
    ['GET', '/api/predictions//cancel'],
  ])('404 for %s %s', async (method, path) => {
    const bench = await start()
    const reply = await fetch(bench.origin + path, { method, headers: { 'X-Test-User': 'a' } })
    expect(reply.status).toBe(404)
    expect(await reply.json()).toMatchObject({ status: 404, title: 'Not found' })
    expect(bench.upstreamCalls()).toEqual([])
  })

  it.each([
    ['GET', '', 'POST'],
    ['DELETE', '', 'POST'],
    ['PUT', '/abc', 'GET'],
    ['POST', '/abc', 'GET'],
    ['GET', '/abc/cancel', 'POST'],
  ])('405 for %s {endpoint}%s with Allow: %s', async (method, path, allow) => {
    const bench = await start()
    const reply = await caller(bench, 'alice').request(path, { method })
    expect(reply.status).toBe(405)
    expect(reply.headers.get('allow')).toBe(allow)
    expect(reply.json).toMatchObject({ status: 405, title: 'Method not allowed' })
    expect(bench.upstreamCalls()).toEqual([])
  })
})

describe('the create body', () => {
  it.each([
    ['invalid JSON', '{"model": '],
    ['a non-object body', '[1, 2]'],
    ['JSON 5,000 levels deep', deep(5000)],
    ['JSON 65 levels deep', deep(63)],
    ['both model and version', { model: LLAMA_3, version: 'v1', input: {} }],
    ['model and deployment', { model: LLAMA_3, deployment: 'acme/haiku', input: {} }],
    ['neither model nor version', { input: {} }],
    ['array input', { model: LLAMA_3, input: [] }],
    ['string input', { model: LLAMA_3, input: 'hi' }],
    ['missing input', { model: LLAMA_3 }],
    ['a model without owner', { model: 'llama', input: {} }],
    ['a traversing model', { model: '../..', input: {} }],
    ['a traversing deployment', { deployment: '../x', input: {} }],
    ['an empty version', { version: ' ', input: {} }],
    ['an oversize version', { version: 'v'.repeat(257), input: {} }],
  ])('400 for %s, with no upstream call', async (_name, body) => {
    const bench = await start()
    const reply = await caller(bench, 'alice').create(body)
    expect(reply.status).toBe(400)
    expect(reply.json).toMatchObject({
      status: 400,
      title: expect.any(String),
      detail: expect.any(String),
    })
    expect(bench.upstreamCalls()).toEqual([])
  })

  it('accepts JSON 64 levels deep', async () => {
    const bench = await start()
    expect((await caller(bench, 'alice').create(deep(62))).status).toBe(201)
  })

  it('413 past maxBodyBytes, by Content-Length or by counting a chunked body', async () => {
    const bench = await start()
    const big = JSON.stringify({ model: LLAMA_3, input: { p: 'x'.repeat(MAX_BODY_BYTES) } })
    const declared = await caller(bench, 'alice').create(big)
    expect(declared.status).toBe(413)
    expect(declared.json).toMatchObject({ status: 413 })
    const bytes = new TextEncoder().encode(big)
    const chunked = await caller(bench, 'alice').request('', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 65_536)
            controller.enqueue(bytes.slice(i, i + 65_536))
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    const small = await start({ maxBodyBytes: 100 })
    expect(
      (await caller(small, 'alice').create({ model: LLAMA_3, input: { p: 'x'.repeat(100) } }))
        .status,
    ).toBe(413)
    expect(bench.upstreamCalls()).toEqual([])
    expect(small.upstreamCalls()).toEqual([])
  })
})

describe('allowedModels', () => {
  it('is required, and accepts only the three shapes', () => {
    const base = { token: 't', secret: SECRET }
    expect(() => createPredictionHandler(base as never)).toThrow(InvalidOptionsError)
    expect(() => createPredictionHandler({ ...base, allowedModels: 'all' as never })).toThrow(
      /allowedModels/,
    )
    expect(() => createPredictionHandler({ ...base, allowedModels: [1] as never })).toThrow(
      InvalidOptionsError,
    )
    expect(() =>
      createPredictionHandler({ ...base, allowedModels: { deployments: 'acme/x' } as never }),
    ).toThrow(InvalidOptionsError)
  })

  it('403s a model, version or deployment not listed, with no upstream call', async () => {
    const bench = await start({
      allowedModels: {
        models: [LLAMA_3],
        versions: ['v-allowed'],
        deployments: ['acme/haiku'],
      },
    })
    const alice = caller(bench, 'alice')
    const refused = [
      await alice.create({ model: 'meta/llama-2-70b-chat', input: HAIKU }),
      await alice.create({ version: 'v-other', input: HAIKU }),
      await alice.create({ deployment: 'acme/other', input: HAIKU }),
      // A name allowed as a model is not thereby allowed as a deployment, nor the reverse.
      await alice.create({ deployment: LLAMA_3, input: HAIKU }),
      await alice.create({ model: 'acme/haiku', input: HAIKU }),
    ]
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403])
    expect(refused[2]!.json).toMatchObject({
      status: 403,
      title: 'Model not allowed',
      detail: 'This server does not allow the deployment "acme/other".',
    })
    expect(bench.upstreamCalls()).toEqual([])
  })

  it('an array lists models and versions, never deployments', async () => {
    const bench = await start({ allowedModels: [LLAMA_3] })
    const alice = caller(bench, 'alice')
    expect((await alice.create({ model: LLAMA_3, input: HAIKU })).status).toBe(201)
    expect((await alice.create({ deployment: LLAMA_3, input: HAIKU })).status).toBe(403)
    expect(bench.upstreamCalls()).toHaveLength(1)
  })
})

describe('configuration read at request time', () => {
  it('builds without a token, reads REPLICATE_API_TOKEN per request, and 500s with a log line when it is unset', async () => {
    vi.stubEnv('REPLICATE_API_TOKEN', '')
    const bench = await start({ token: undefined })
    const alice = caller(bench, 'alice')
    const missing = await alice.create()
    expect(missing.status).toBe(500)
    expect(missing.json).toMatchObject({ status: 500, title: 'Server misconfigured' })
    expect(missing.text).not.toContain('REPLICATE_API_TOKEN')
    expect(bench.errors.map((e) => [e.code, e.status])).toEqual([['missing_token', 500]])
    expect(bench.errors[0]!.message).toMatch(/REPLICATE_API_TOKEN/)
    expect(bench.upstreamCalls()).toEqual([])

    vi.stubEnv('REPLICATE_API_TOKEN', REAL_LOOKING_TOKEN)
    expect((await alice.create()).status).toBe(201)
  })

  it('reads PREDICTION_HANDLER_SECRET per request; unset or short is a 500 with a log line', async () => {
    vi.stubEnv('PREDICTION_HANDLER_SECRET', 'too-short')
    const bench = await start({ secret: undefined })
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(500)
    expect(bench.errors.map((e) => e.code)).toEqual(['missing_secret'])
    expect(bench.errors[0]!.message).toMatch(/PREDICTION_HANDLER_SECRET/)
    expect(bench.upstreamCalls()).toEqual([])
    vi.stubEnv('PREDICTION_HANDLER_SECRET', SECRET)
    const created = await caller(bench, 'alice').create()
    expect(created.status).toBe(201)
    expect((await caller(bench, 'alice').get(created.json.id as string)).status).toBe(200)
  })

  it.each([
    ['file:', 'file:///etc/passwd'],
    ['javascript:', 'javascript:alert(1)'],
    ['plain http to another host', 'http://api.replicate.com/v1'],
    ['credentials', 'https://user:pass@api.replicate.com/v1'],
    ['a relative URL', '/v1'],
  ])('rejects a baseUrl with %s at creation', (_name, baseUrl) => {
    expect(() => createPredictionHandler({ allowedModels: '*', secret: SECRET, baseUrl })).toThrow(
      InvalidOptionsError,
    )
  })

  it.each([
    'https://api.replicate.com/v1/',
    'http://localhost:5173/v1',
    'http://127.0.0.1:1/v1',
    'http://[::1]:8080/v1',
  ])('accepts baseUrl %s', (baseUrl) => {
    expect(() => createPredictionHandler({ allowedModels: '*', baseUrl })).not.toThrow()
  })

  it.each([
    ['an empty token', { token: '' }],
    ['a short secret', { secret: 'short' }],
    ['an empty secret list', { secret: [] }],
    ['maxRunTimeMs under 5 s', { maxRunTimeMs: 4_999 }],
    ['a zero rate limit', { rateLimit: { limit: 0, windowMs: 1000 } }],
    ['a fractional cap', { maxConcurrentPredictions: 1.5 }],
    ['a non-origin in allowedOrigins', { allowedOrigins: ['https://app.example/path'] }],
    ['a non-function authorize', { authorize: 'alice' }],
  ])('rejects %s at creation', (_name, options) => {
    expect(() => createPredictionHandler({ allowedModels: '*', ...(options as object) })).toThrow(
      InvalidOptionsError,
    )
  })
})
