import { describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/core/errors'
import { LOCAL_API_TOKEN, startReplicateServer } from '../../src/testing'
import { recordingsOfModel } from '../../src/testing/models/recordings'
import {
  AUTH,
  createPrediction,
  getPrediction,
  HAIKU,
  LLAMA_3,
  readStream,
  streamEvents,
  untilDone,
  serverStarter,
} from '../../testkit/local-server'

const start = serverStarter()

const NOT_FOUND = { detail: 'The requested resource could not be found.', status: 404 }
/** Runs for a minute after its first output: a prediction that is reliably mid-run. */
const SLOW = { firstOutputDelayMs: 0, outputIntervalMs: 60_000 }

async function post(url: string, body: unknown, headers: Record<string, string> = AUTH) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { response, body: (await response.json()) as Record<string, unknown> }
}

describe('authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer r8_wrong' }],
    ['another scheme', { Authorization: `Basic ${LOCAL_API_TOKEN}` }],
  ])('answers 401 problem+json for %s', async (_name, headers) => {
    const server = await start()
    const response = await fetch(`${server.apiUrl}/predictions/abc`, { headers })
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.text()).toBe(
      '{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}',
    )
  })

  it('accepts a custom token and the legacy `Token` scheme', async () => {
    const server = await start({ token: 'r8_custom' })
    const url = `${server.apiUrl}/models/${LLAMA_3}/predictions`
    const input = { input: { prompt: 'hi' } }
    expect((await post(url, input)).response.status).toBe(401)
    expect((await post(url, input, { Authorization: 'Bearer r8_custom' })).response.status).toBe(
      201,
    )
    expect((await post(url, input, { Authorization: 'Token r8_custom' })).response.status).toBe(201)
  })
})

describe('create', () => {
  it('creates by model: 201 with the prediction object of docs/replicate-protocol.md §1.2', async () => {
    const server = await start({ cadence: SLOW })
    const { response, body } = await post(`${server.apiUrl}/models/${LLAMA_3}/predictions`, {
      input: { prompt: HAIKU, max_tokens: 64 },
      stream: true,
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8')
    const id = body.id as string
    expect(id).toMatch(/^[a-z0-9]{26}$/)
    const host = new URL(server.url).host
    const streamHost = new URL(server.streamUrl).host
    expect(streamHost).not.toBe(host)
    expect(body).toEqual({
      id,
      model: LLAMA_3,
      version: 'dp-a557b7387b4940df25b23f779dc534c4',
      input: { prompt: HAIKU, max_tokens: 64 },
      logs: '',
      output: null,
      data_removed: false,
      error: null,
      source: 'api',
      status: 'starting',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      urls: {
        get: `http://${host}/v1/predictions/${id}`,
        cancel: `http://${host}/v1/predictions/${id}/cancel`,
        web: `http://${host}/p/${id}`,
        stream: expect.stringMatching(new RegExp(`^http://${streamHost}/v1/streams/[a-z2-7]{52}$`)),
      },
    })
  })

  it('builds urls from the Host header', async () => {
    const server = await start()
    // node:http lets us send any Host; fetch would not.
    const { request } = await import('node:http')
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${server.apiUrl}/models/${LLAMA_3}/predictions`,
        { method: 'POST', headers: { ...AUTH, Host: 'localhost:6006' } },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (text += chunk))
          res.on('end', () => resolve(text))
        },
      )
      req.on('error', reject)
      req.end(JSON.stringify({ input: { prompt: HAIKU } }))
    })
    const prediction = JSON.parse(body) as { id: string; urls: Record<string, string> }
    expect(prediction.urls.get).toBe(`http://localhost:6006/v1/predictions/${prediction.id}`)
    // The stream host keeps the host name the client used, on the stream listener's port.
    const streamPort = new URL(server.streamUrl).port
    expect(prediction.urls.stream).toMatch(
      new RegExp(`^http://localhost:${streamPort}/v1/streams/[a-z2-7]{52}$`),
    )
  })

  it('creates by version in all three forms, and echoes webhook fields', async () => {
    const server = await start()
    const [llama2] = recordingsOfModel('meta/llama-2-70b-chat')
    for (const version of [
      llama2!.version,
      `meta/llama-2-70b-chat:${llama2!.version}`,
      'meta/llama-2-70b-chat',
    ]) {
      const { response, body } = await post(`${server.apiUrl}/predictions`, {
        version,
        input: { prompt: 'x' },
        webhook: 'https://example.com/hook',
        webhook_events_filter: ['completed'],
      })
      expect(response.status).toBe(201)
      expect(body).toMatchObject({
        model: 'meta/llama-2-70b-chat',
        version: llama2!.version,
        webhook: 'https://example.com/hook',
        webhook_events_filter: ['completed'],
      })
    }
  })

  it('answers 422 Invalid version for an unknown version', async () => {
    const server = await start()
    const { response, body } = await post(`${server.apiUrl}/predictions`, {
      version: 'f'.repeat(64),
      input: {},
    })
    expect(response.status).toBe(422)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(body).toEqual({
      title: 'Invalid version or not permitted',
      detail:
        "The specified version does not exist (or perhaps you don't have permission to use it?)",
      status: 422,
    })
  })

  it('answers 422 Input validation failed for an extra property', async () => {
    const server = await start()
    const { response, body } = await post(`${server.apiUrl}/models/${LLAMA_3}/predictions`, {
      version: 'x',
      input: {},
    })
    expect(response.status).toBe(422)
    expect(body).toEqual({
      detail: '- Additional property version is not allowed\n',
      status: 422,
      title: 'Input validation failed',
      invalid_fields: [
        {
          type: 'additional_property_not_allowed',
          field: '',
          description: 'Additional property version is not allowed',
        },
      ],
    })
    const model = await post(`${server.apiUrl}/predictions`, { model: LLAMA_3, input: {} })
    expect(model.body.invalid_fields).toContainEqual({
      type: 'additional_property_not_allowed',
      field: '',
      description: 'Additional property model is not allowed',
    })
  })

  it.each([
    ['missing input', {}, { type: 'required', field: '', description: 'input is required' }],
    [
      'non-object input',
      { input: 'hi' },
      {
        type: 'invalid_type',
        field: 'input',
        description: 'Invalid type. Expected: object, given: string',
      },
    ],
    [
      'array input',
      { input: [] },
      {
        type: 'invalid_type',
        field: 'input',
        description: 'Invalid type. Expected: object, given: array',
      },
    ],
    [
      'non-boolean stream',
      { input: {}, stream: 'yes' },
      {
        type: 'invalid_type',
        field: 'stream',
        description: 'Invalid type. Expected: boolean, given: string',
      },
    ],
    [
      'unknown webhook event',
      { input: {}, webhook_events_filter: ['done'] },
      {
        type: 'enum',
        field: 'webhook_events_filter.0',
        description:
          'webhook_events_filter.0 must be one of the following: "start", "output", "logs", "completed"',
      },
    ],
  ])('answers 422 for %s', async (_name, requestBody, invalidField) => {
    const server = await start()
    const { response, body } = await post(
      `${server.apiUrl}/models/${LLAMA_3}/predictions`,
      requestBody,
    )
    expect(response.status).toBe(422)
    expect(body).toMatchObject({ status: 422, title: 'Input validation failed' })
    expect(body.invalid_fields).toEqual([invalidField])
  })

  it('requires version and input on POST /v1/predictions', async () => {
    const server = await start()
    const { response, body } = await post(`${server.apiUrl}/predictions`, {})
    expect(response.status).toBe(422)
    expect(body.invalid_fields).toEqual([
      { type: 'required', field: '', description: 'version is required' },
      { type: 'required', field: '', description: 'input is required' },
    ])
  })

  it('answers 400 for a body that is not JSON', async () => {
    const server = await start()
    const { response, body } = await post(`${server.apiUrl}/models/${LLAMA_3}/predictions`, '{')
    expect(response.status).toBe(400)
    expect(body.detail).toMatch(/^JSON parse error/)
  })

  it('answers 404 for an unknown model, route or prediction', async () => {
    const server = await start()
    for (const [method, path] of [
      ['POST', '/models/nobody/nothing/predictions'],
      ['POST', '/deployments/nobody/nothing/predictions'],
      ['GET', '/predictions/doesnotexist00000000000000'],
      ['POST', '/predictions/doesnotexist00000000000000/cancel'],
      ['GET', '/nothing-here'],
    ] as const) {
      const response = await fetch(server.apiUrl + path, {
        method,
        headers: AUTH,
        body: method === 'POST' ? '{"input":{}}' : undefined,
      })
      expect(response.status, path).toBe(404)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(await response.json()).toEqual(NOT_FOUND)
    }
  })

  it('answers 405 with Allow for a wrong method', async () => {
    const server = await start()
    const response = await fetch(`${server.apiUrl}/models/${LLAMA_3}/predictions`, {
      headers: AUTH,
    })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
  })
})

describe('lifecycle', () => {
  it('keeps GET consistent with the stream while running', async () => {
    const server = await start({ cadence: { firstOutputDelayMs: 60_000, outputIntervalMs: 0 } })
    const prediction = await createPrediction(server.apiUrl)
    const starting = await getPrediction(server.apiUrl, prediction.id)
    expect(starting).toMatchObject({ status: 'starting', output: null })
    expect(starting).not.toHaveProperty('started_at')
    expect(server.predictions).toHaveLength(1)
    expect(server.predictions[0]!.status).toBe('starting')
  })

  it('succeeds with started_at, completed_at, metrics and the full output', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    const events = await streamEvents(prediction.urls.stream!)
    const outputs = events.filter((e) => e.event === 'output').map((e) => e.data)
    const final = await getPrediction(server.apiUrl, prediction.id)
    expect(final).toMatchObject({ status: 'succeeded', output: outputs, error: null })
    expect(final.started_at).toEqual(expect.any(String))
    expect(final.completed_at).toEqual(expect.any(String))
    expect(final.metrics).toEqual({
      predict_time: expect.any(Number),
      total_time: expect.any(Number),
    })
    const list = await fetch(`${server.apiUrl}/predictions`, { headers: AUTH })
    expect(await list.json()).toEqual({ next: null, previous: null, results: [final] })
  })

  it('fails after N outputs with error then done {"reason": "error"}', async () => {
    const server = await start({ faults: { fail: { afterOutputs: 3 } } })
    const prediction = await createPrediction(server.apiUrl)
    const { text } = await readStream(prediction.urls.stream!, untilDone)
    expect(text).toMatch(
      /event: error\nid: \d+:\d+\ndata: \{"detail": "Simulated failure after 3 outputs"\}\n\nevent: done\nid: \d+:\d+\ndata: \{"reason": "error"\}\n\n$/,
    )
    const events = await streamEvents(prediction.urls.stream!)
    expect(events.map((e) => e.event)).toEqual(['output', 'output', 'output', 'error', 'done'])
    expect(JSON.parse(events[3]!.data)).toEqual({ detail: 'Simulated failure after 3 outputs' })
    expect(JSON.parse(events[4]!.data)).toEqual({ reason: 'error' })
    const final = await getPrediction(server.apiUrl, prediction.id)
    expect(final).toMatchObject({
      status: 'failed',
      error: 'Simulated failure after 3 outputs',
      output: events.slice(0, 3).map((e) => e.data),
    })
  })

  it('faults.fail changes new predictions only, with a custom detail', async () => {
    const server = await start({ cadence: SLOW })
    const before = await createPrediction(server.apiUrl)
    server.faults.set({ fail: { afterOutputs: 0, detail: 'CUDA out of memory' } })
    const failing = await createPrediction(server.apiUrl)
    const events = await streamEvents(failing.urls.stream!)
    expect(events.map((e) => [e.event, e.data])).toEqual([
      ['error', '{"detail": "CUDA out of memory"}'],
      ['done', '{"reason": "error"}'],
    ])
    expect(await getPrediction(server.apiUrl, failing.id)).toMatchObject({
      status: 'failed',
      error: 'CUDA out of memory',
    })
    await expect.poll(() => server.predictions[0]!.status).toBe('processing')
    expect(server.predictions.find((p) => p.id === before.id)!.error).toBeNull()
    server.faults.clear()
    expect(() => server.faults.set({ fail: { afterOutputs: -1 } })).toThrow(InvalidOptionsError)
  })

  it('cancels mid-run: done {"reason": "canceled"}, GET canceled', async () => {
    const server = await start({ cadence: SLOW })
    const prediction = await createPrediction(server.apiUrl)
    const reading = readStream(prediction.urls.stream!, untilDone)
    await expect.poll(() => server.predictions[0]!.output).toHaveLength(1)
    const { response, body } = await post(prediction.urls.cancel, undefined)
    expect(response.status).toBe(200)
    expect(body).toMatchObject({
      id: prediction.id,
      status: 'canceled',
      completed_at: expect.any(String),
    })
    const { text } = await reading
    expect(text).toMatch(/event: done\nid: \d+:\d+\ndata: \{"reason": "canceled"\}\n\n$/)
    const events = await streamEvents(prediction.urls.stream!)
    expect(events.map((e) => e.event)).toEqual(['output', 'done'])
    const final = await getPrediction(server.apiUrl, prediction.id)
    expect(final).toMatchObject({ status: 'canceled', output: [events[0]!.data] })
    // Canceling again returns it unchanged and publishes nothing.
    const again = await post(prediction.urls.cancel, undefined)
    expect(again.body).toEqual(final)
    expect(await streamEvents(prediction.urls.stream!)).toEqual(events)
  })

  it('cancels before the first output', async () => {
    const server = await start({ cadence: { firstOutputDelayMs: 60_000, outputIntervalMs: 0 } })
    const prediction = await createPrediction(server.apiUrl)
    const { body } = await post(prediction.urls.cancel, undefined)
    expect(body).toMatchObject({ status: 'canceled', output: null })
    expect(body.started_at).toBe(body.completed_at)
    const events = await streamEvents(prediction.urls.stream!)
    expect(events.map((e) => [e.event, e.data])).toEqual([['done', '{"reason": "canceled"}']])
  })

  it('cancel of a finished prediction returns it unchanged', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    await streamEvents(prediction.urls.stream!)
    const finished = await getPrediction(server.apiUrl, prediction.id)
    const { response, body } = await post(prediction.urls.cancel, undefined)
    expect(response.status).toBe(200)
    expect(body).toEqual(finished)
    expect(body.status).toBe('succeeded')
  })
})

describe('options', () => {
  it('rejects invalid options synchronously', async () => {
    await expect(startReplicateServer({ cadence: 'slow' as 'fast' })).rejects.toThrow(
      InvalidOptionsError,
    )
    await expect(
      startReplicateServer({ cadence: { firstOutputDelayMs: -1, outputIntervalMs: 0 } }),
    ).rejects.toThrow(InvalidOptionsError)
    await expect(startReplicateServer({ idleTimeoutMs: 0 })).rejects.toThrow(InvalidOptionsError)
    await expect(startReplicateServer({ predictionsEndpoint: 'api' })).rejects.toThrow(
      InvalidOptionsError,
    )
  })
})
