/**
 * The parts of docs/replicate-protocol.md §1 and §4 beyond create/get/cancel: sync mode
 * (`Prefer: wait`), deadlines (`Cancel-After`), deployments, input schemas, CORS per host, and
 * request inspection.
 */
import { describe, expect, it } from 'vitest'
import type { ReplicateServer } from '../../src/testing'
import { ECHO_MODEL } from '../../src/testing/models/served-models'
import {
  AUTH,
  createPrediction,
  getPrediction,
  HAIKU,
  LLAMA_3,
  readStream,
  serverStarter,
  untilDone,
} from '../../testkit/local-server'

const start = serverStarter()
/** One output now, the next a minute later: a prediction reliably mid-run. */
const SLOW = { firstOutputDelayMs: 0, outputIntervalMs: 60_000 }

async function create(
  server: ReplicateServer,
  headers: Record<string, string>,
  input: Record<string, unknown> = { prompt: 'one two three' },
  path = `/models/${ECHO_MODEL}/predictions`,
) {
  const response = await fetch(server.apiUrl + path, {
    method: 'POST',
    headers: { ...AUTH, ...headers },
    body: JSON.stringify({ input }),
  })
  return { response, body: (await response.json()) as Record<string, unknown> }
}

describe('Prefer: wait (sync mode)', () => {
  it('holds the response until the prediction finishes and echoes the preference', async () => {
    const server = await start()
    const { response, body } = await create(server, { Prefer: 'wait=10' })
    expect(response.status).toBe(201)
    expect(response.headers.get('preference-applied')).toBe('wait=10')
    expect(response.headers.get('location')).toBe(`${server.apiUrl}/predictions/${String(body.id)}`)
    expect(body).toMatchObject({ status: 'succeeded', output: ['one', ' two', ' three'] })
  })

  it('answers with the state so far when the wait runs out (`wait=1`)', async () => {
    const server = await start({ cadence: SLOW })
    const { response, body } = await create(server, { Prefer: 'wait=1' })
    expect(response.headers.get('preference-applied')).toBe('wait=1')
    expect(body).toMatchObject({ status: 'processing', output: ['one'] })
  })

  it.each(['wait=0', 'wait=100', 'respond-async', 'wait=abc'])(
    'ignores %s (no Preference-Applied)',
    async (prefer) => {
      const server = await start({ cadence: SLOW })
      const { response, body } = await create(server, { Prefer: prefer })
      expect(response.headers.get('preference-applied')).toBeNull()
      expect(body.status).toBe('starting')
    },
  )
})

describe('Cancel-After', () => {
  it('sets deadline = created_at + duration', async () => {
    const server = await start({ cadence: SLOW })
    const { body } = await create(server, { 'Cancel-After': '1h30m45s' })
    const created = Date.parse(body.created_at as string)
    expect(Date.parse(body.deadline as string) - created).toBe((3600 + 1800 + 45) * 1000)
  })

  it('cancels a running prediction at the deadline: canceled and done {"reason": "canceled"}', async () => {
    const server = await start({ cadence: SLOW, minCancelAfterMs: 0 })
    const { body } = await create(server, { 'Cancel-After': '0.05s' })
    const { text } = await readStream((body.urls as { stream: string }).stream, untilDone)
    expect(text).toMatch(
      /data: one\n\nevent: done\nid: \d+:\d+\ndata: \{"reason": "canceled"\}\n\n$/,
    )
    expect(await getPrediction(server.apiUrl, body.id as string)).toMatchObject({
      status: 'canceled',
      output: ['one'],
    })
  })

  it('aborts a prediction whose deadline passes before it starts', async () => {
    const server = await start({
      cadence: { firstOutputDelayMs: 60_000, outputIntervalMs: 0 },
      minCancelAfterMs: 0,
    })
    const { body } = await create(server, { 'Cancel-After': '10ms' })
    await expect
      .poll(() => getPrediction(server.apiUrl, body.id as string))
      .toMatchObject({
        status: 'aborted',
        output: null,
      })
    const aborted = await getPrediction(server.apiUrl, body.id as string)
    expect(aborted).not.toHaveProperty('started_at')
    expect(aborted.completed_at).toEqual(expect.any(String))
  })

  it.each([
    ['soon', /Invalid Cancel-After header "soon"/],
    ['4s', /Cancel-After must be at least 5s/],
  ])('answers 400 for %s', async (value, detail) => {
    const server = await start()
    const { response, body } = await create(server, { 'Cancel-After': value })
    expect(response.status).toBe(400)
    expect(body.detail).toMatch(detail)
    expect(server.predictions).toHaveLength(0)
  })
})

describe('deployments', () => {
  it('creates through a configured deployment and reports it', async () => {
    const server = await start({ deployments: { 'acme/chat': 'meta/llama-2-70b-chat' } })
    const { response, body } = await create(
      server,
      {},
      { prompt: 'hi' },
      '/deployments/acme/chat/predictions',
    )
    expect(response.status).toBe(201)
    expect(body).toMatchObject({ model: 'meta/llama-2-70b-chat', deployment: 'acme/chat' })
    const unknown = await create(
      server,
      {},
      { prompt: 'hi' },
      `/deployments/${LLAMA_3}/predictions`,
    )
    expect(unknown.response.status).toBe(404)
  })

  it('rejects a deployment of a model it does not serve', async () => {
    await expect(start({ deployments: { 'acme/x': 'nobody/nothing' } })).rejects.toThrow(
      /not a served model/,
    )
  })
})

describe('input schemas (422 Input validation failed)', () => {
  it.each([
    [{}, [{ type: 'required', field: 'input', description: 'prompt is required' }]],
    [
      { prompt: 'hi', max_new_tokens: 1.5, temperature: 9 },
      [
        {
          type: 'invalid_type',
          field: 'input.max_new_tokens',
          description: 'Invalid type. Expected: integer, given: number',
        },
        {
          type: 'number_lte',
          field: 'input.temperature',
          description: 'Must be less than or equal to 5',
        },
      ],
    ],
    [
      { prompt: 'hi', top_k: -2 },
      [
        {
          type: 'number_gte',
          field: 'input.top_k',
          description: 'Must be greater than or equal to -1',
        },
      ],
    ],
  ])('llama-2 input %j', async (input, invalidFields) => {
    const server = await start()
    const { response, body } = await create(
      server,
      {},
      input,
      '/models/meta/llama-2-70b-chat/predictions',
    )
    expect(response.status).toBe(422)
    expect(body).toEqual({
      detail: invalidFields.map((f) => `- ${f.field}: ${f.description}\n`).join(''),
      status: 422,
      title: 'Input validation failed',
      invalid_fields: invalidFields,
    })
  })

  it('reports enum violations like Replicate', async () => {
    const server = await start()
    const { body } = await create(
      server,
      {},
      { prompt: 'p', diffusion_sampling_mode: 'euler' },
      '/models/nightmareai/disco-diffusion/predictions',
    )
    expect(body.invalid_fields).toEqual([
      {
        type: 'enum',
        field: 'input.diffusion_sampling_mode',
        description: 'input.diffusion_sampling_mode must be one of the following: "ddim", "plms"',
      },
    ])
  })

  it('accepts unknown input properties, as Cog schemas do', async () => {
    const server = await start()
    const { response } = await create(
      server,
      {},
      { prompt: HAIKU, not_in_schema: true },
      `/models/${LLAMA_3}/predictions`,
    )
    expect(response.status).toBe(201)
  })
})

describe('origins and CORS', () => {
  it('serves streams on their own origin only, and the API on its own', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    const stream = new URL(prediction.urls.stream!)
    expect(stream.origin).toBe(server.streamUrl)
    expect(stream.origin).not.toBe(new URL(server.url).origin)
    // Like api.replicate.com and stream.replicate.com: neither answers the other's paths.
    expect((await fetch(server.url + stream.pathname)).status).toBe(404)
    expect(
      (await fetch(`${server.streamUrl}/v1/predictions/${prediction.id}`, { headers: AUTH }))
        .status,
    ).toBe(404)
    expect((await fetch(`${server.streamUrl}/api/predictions`, { method: 'POST' })).status).toBe(
      404,
    )
  })

  it('answers CORS on the stream host, none on /v1 unless apiCors', async () => {
    const origin = { Origin: 'http://localhost:6006' }
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    const api = await fetch(`${server.apiUrl}/predictions/${prediction.id}`, {
      headers: { ...AUTH, ...origin },
    })
    expect(api.headers.get('access-control-allow-origin')).toBeNull()
    const preflight = await fetch(prediction.urls.stream!, {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'last-event-id',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:6006')
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'Last-Event-ID, Cache-Control, Accept, Authorization',
    )

    const open = await start({ apiCors: true })
    const apiPreflight = await fetch(`${open.apiUrl}/models/${LLAMA_3}/predictions`, {
      method: 'OPTIONS',
      headers: { ...origin, 'Access-Control-Request-Method': 'POST' },
    })
    expect(apiPreflight.status).toBe(204)
    expect(apiPreflight.headers.get('access-control-allow-headers')).toContain('Prefer')
    const created = await fetch(`${open.apiUrl}/models/${LLAMA_3}/predictions`, {
      method: 'POST',
      headers: { ...AUTH, ...origin },
      body: JSON.stringify({ input: { prompt: 'hi' } }),
    })
    expect(created.headers.get('access-control-allow-origin')).toBe('http://localhost:6006')
  })
})

describe('inspection', () => {
  it('records every request on both hosts in order, with headers and status', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    await readStream(prediction.urls.stream!, untilDone, { 'Last-Event-ID': '1:0' })
    await getPrediction(server.apiUrl, prediction.id)
    // A raw Replicate id is not a reference the route handler signed: 404, nothing upstream.
    await fetch(`${server.predictionsUrl}/${prediction.id}`)
    await fetch(server.predictionsUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: LLAMA_3, input: { prompt: 'hi' } }),
    })
    const requests = server.requests
    expect(
      requests.map((r) => [
        r.seq,
        r.host,
        r.method,
        r.path.replace(/[a-z2-7]{52}|[a-z0-9]{26}/g, '<id>'),
        r.status,
      ]),
    ).toEqual([
      [0, 'api', 'POST', `/v1/models/${LLAMA_3}/predictions`, 201],
      [1, 'stream', 'GET', '/v1/streams/<id>', 200],
      [2, 'api', 'GET', '/v1/predictions/<id>', 200],
      [3, 'api', 'GET', '/api/predictions/<id>', 404],
      [4, 'api', 'POST', '/api/predictions', 201],
      // The route handler's own call upstream, with the server's token.
      [5, 'api', 'POST', `/v1/models/${LLAMA_3}/predictions`, 201],
    ])
    expect(requests[1]!.headers['last-event-id']).toBe('1:0')
    expect(requests[1]!.headers.accept).toBe('text/event-stream')
    expect(requests[5]!.headers.authorization).toBe(AUTH.Authorization)
  })
})
