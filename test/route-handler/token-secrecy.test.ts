/**
 * The API token never reaches the caller or the log, and handling it never alters a response.
 * Every case of the security checks runs twice, with a real-looking token and with a
 * one-character one: the real-looking token must appear in no body, header or `onError` line,
 * and the two runs must answer byte for byte the same (once ports are normalized), which a
 * text replace of the token (the old redaction) could not do.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import type { PredictionHandlerError } from '../../src/server'
import { benchStarter, caller, LLAMA_3, REAL_LOOKING_TOKEN, type Reply } from './harness'

const { start, startUpstream } = benchStarter()
const NOW = Date.parse('2030-01-01T00:00:00Z')
const PORT = /127\.0\.0\.1:\d+/g

const closers: (() => void)[] = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

/** Every response and log line of one run, as text. */
interface Transcript {
  replies: string[]
  logs: string[]
}

function describeReply(name: string, reply: Reply): string {
  const headers = [...reply.headers]
    .filter(([header]) => !['date', 'connection', 'keep-alive'].includes(header))
    .map(([header, value]) => `${header}: ${value}`)
  return [`${name} → ${reply.status}`, ...headers, reply.text].join('\n').replace(PORT, 'HOST')
}

/** A hung upstream port (for 504) and a closed one (for 502). */
async function deadUpstreams(): Promise<{ hung: string; closed: string }> {
  const hung = createServer(() => {})
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve))
  closers.push(() => {
    hung.closeAllConnections()
    hung.close()
  })
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const closedPort = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  return {
    hung: `http://127.0.0.1:${(hung.address() as AddressInfo).port}/v1`,
    closed: `http://127.0.0.1:${closedPort}/v1`,
  }
}

/** Runs every case with `token` as the API token (the local server's too). */
async function transcript(token: string): Promise<Transcript> {
  const replies: string[] = []
  const errors: PredictionHandlerError[] = []
  const onError = (error: PredictionHandlerError) => errors.push(error)
  const fixed = {
    seed: 11,
    now: () => NOW,
    token,
    cadence: { firstOutputDelayMs: 600_000, outputIntervalMs: 1_000 },
  }
  const upstream = await startUpstream(fixed)
  const options = {
    token,
    onError,
    now: () => NOW,
    rateLimit: { limit: 4, windowMs: 60_000 },
    maxConcurrentPredictions: 3,
  }
  const bench = await start(options, upstream)
  const alice = caller(bench, 'alice')
  const bob = caller(bench, 'bob')
  const record = (name: string, reply: Reply) => replies.push(describeReply(name, reply))

  const created = await alice.create()
  record('create', created)
  const reference = created.json.id as string
  record('get', await alice.get(reference))
  record("bob's get", await bob.get(reference))
  record("bob's cancel", await bob.cancel(reference))
  record('tampered', await alice.get(reference.slice(0, -2) + 'AA'))
  record("a /v1 prediction's id", await bob.get(upstream.predictions[0]!.id))
  const later = await start({ ...options, now: () => NOW + 2 * 86_400_000 }, upstream)
  record('expired', await caller(later, 'alice').get(reference))
  record('cross-origin', await alice.create(undefined, { Origin: 'https://evil.example' }))
  record('text/plain', await alice.create(undefined, { 'Content-Type': 'text/plain' }))
  record(
    'disallowed',
    await caller(await start({ ...options, allowedModels: ['a/b'] }, upstream), 'alice').create(),
  )
  record('413', await alice.create({ model: LLAMA_3, input: { p: 'x'.repeat(2 * 1024 * 1024) } }))
  record('deep', await alice.create(`{"model":"${LLAMA_3}","input":${'['.repeat(5000)}}`))
  record('malformed', await alice.create('{"model":'))
  record('405', await alice.request('', { method: 'GET' }))
  record('second create', await alice.create())
  record('third create', await alice.create())
  record('over the cap', await alice.create())
  record('over the rate', await alice.create())
  record('cancel', await alice.cancel(reference))

  for (const [status, retryAfterSeconds] of [
    [402, undefined],
    [422, undefined],
    [429, 9],
  ] as const) {
    const faulty = await startUpstream({
      ...fixed,
      faults: { create: { status, retryAfterSeconds } },
    })
    record(`upstream ${status}`, await caller(await start(options, faulty), 'carol').create())
  }
  const wrongToken = await start({ ...options, token: `${token}x` }, upstream)
  record('upstream 401', await caller(wrongToken, 'dave').create())
  const dead = await deadUpstreams()
  record(
    'unreachable',
    await caller(await start({ ...options, baseUrl: dead.closed }), 'erin').create(),
  )
  record(
    'timeout',
    await caller(
      await start({ ...options, baseUrl: dead.hung, upstreamTimeoutMs: 50 }),
      'erin',
    ).create(),
  )

  const logs = errors.map((error) =>
    inspect(error, { depth: 10 })
      .replace(PORT, 'HOST')
      .replace(/port: \d+/g, 'port: PORT'),
  )
  return { replies, logs }
}

describe('the API token', () => {
  it('appears in no body, header or log line, and a one-character token changes no byte', async () => {
    const real = await transcript(REAL_LOOKING_TOKEN)
    const tiny = await transcript('t')

    expect(real.replies).toHaveLength(25)
    for (const text of [...real.replies, ...real.logs])
      expect(text).not.toContain(REAL_LOOKING_TOKEN)
    expect(real.replies.join('\n')).not.toMatch(/redacted|bearer/i)
    // The cases did what they test.
    expect(real.replies.map((r) => Number(/→ (\d+)/.exec(r)![1]))).toEqual([
      201, 200, 404, 404, 404, 404, 404, 403, 415, 403, 413, 400, 400, 405, 201, 201, 429, 429, 200,
      402, 422, 429, 401, 502, 504,
    ])
    expect(real.logs.map((log) => /code: '(\w+)'/.exec(log)?.[1])).toEqual([
      'upstream_refused',
      'upstream_refused',
      'upstream_unreachable',
      'upstream_timeout',
    ])
    expect(tiny.replies).toEqual(real.replies)
    expect(tiny.logs).toEqual(real.logs)
  })

  it('withholds upstream text that echoes the token, and refuses a prediction containing it', async () => {
    let echoInBody = false
    const echo = createServer((req, res) => {
      if (echoInBody) {
        res.writeHead(201, {
          'Content-Type': 'application/json',
          'X-Echo': req.headers.authorization,
        })
        res.end(
          JSON.stringify({ id: 'abc', status: 'starting', output: [req.headers.authorization] }),
        )
        return
      }
      res.writeHead(400, {
        'Content-Type': 'application/problem+json',
        'X-Echo': req.headers.authorization,
      })
      res.end(
        JSON.stringify({
          title: `bad ${req.headers.authorization}`,
          detail: `bad header ${req.headers.authorization}`,
          status: 400,
        }),
      )
    })
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
    closers.push(() => echo.close())
    const apiUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v1`

    for (const token of [REAL_LOOKING_TOKEN, 't']) {
      echoInBody = false
      const bench = await start({ token, baseUrl: apiUrl })
      const reply = await caller(bench, 'alice').create()
      expect(reply.status).toBe(400)
      expect(reply.json).toEqual({
        title: 'Prediction API error',
        detail: 'The prediction API answered HTTP 400.',
        status: 400,
      })
      expect(reply.headers.get('x-echo')).toBeNull()
    }
    echoInBody = true
    const bench = await start({ baseUrl: apiUrl })
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(502)
    expect(reply.text).not.toContain(REAL_LOOKING_TOKEN)
    expect(bench.errors.map((e) => e.code)).toEqual(['upstream_invalid'])
    expect(inspect(bench.errors[0], { depth: 10 })).not.toContain(REAL_LOOKING_TOKEN)
  })
})
