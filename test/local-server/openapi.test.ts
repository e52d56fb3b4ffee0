/**
 * Every JSON body the server returns on the prediction endpoints validates against Replicate's
 * own OpenAPI schema (`testkit/fixtures/replicate-openapi.json`, see `testkit/openapi.ts`),
 * walking every documented operation and status, and the prediction in every status. Error bodies, which the
 * document does not describe, are checked against RFC 7807's shape as Replicate uses it
 * (docs/replicate-protocol.md §1.3).
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it, vi } from 'vitest'
import { LOCAL_API_TOKEN, type ReplicateServer } from '../../src/testing'
import { ECHO_MODEL } from '../../src/testing/models/served-models'
import { AUTH, LLAMA_3, serverStarter, WAIT } from '../../testkit/local-server'
import { errorsOf, predictionOperations, responseValidator } from '../../testkit/openapi'

const start = serverStarter()
/** `${method} ${path} ${status}` of every documented response this file has validated. */
const exercised = new Set<string>()

/** Sends a request and validates its JSON body against the documented response. */
async function call(
  documented: { method: 'get' | 'post'; path: string },
  url: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: documented.method.toUpperCase(),
    headers: { ...AUTH, 'Content-Type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8')
  const body = (await response.json()) as Record<string, unknown>
  const validate = responseValidator(documented.method, documented.path, response.status)
  expect(validate(body), `${documented.method} ${documented.path}: ${errorsOf(validate)}`).toBe(
    true,
  )
  exercised.add(`${documented.method} ${documented.path} ${response.status}`)
  return body
}

const CREATE_BY_VERSION = { method: 'post', path: '/predictions' } as const
const CREATE_BY_MODEL = {
  method: 'post',
  path: '/models/{model_owner}/{model_name}/predictions',
} as const
const CREATE_BY_DEPLOYMENT = {
  method: 'post',
  path: '/deployments/{deployment_owner}/{deployment_name}/predictions',
} as const
const GET = { method: 'get', path: '/predictions/{prediction_id}' } as const
const CANCEL = { method: 'post', path: '/predictions/{prediction_id}/cancel' } as const
const LIST = { method: 'get', path: '/predictions' } as const

describe('responses validate against the OpenAPI document', () => {
  it('the validator is not vacuous: it rejects what Replicate would not send', () => {
    const validate = responseValidator('get', '/predictions/{prediction_id}', 200)
    const valid = {
      id: 'x',
      model: 'a/b',
      version: 'v',
      input: {},
      output: null,
      data_removed: false,
      error: null,
      status: 'starting',
      created_at: '2024-10-04T18:07:35.262Z',
      urls: { get: 'http://h/v1/p/x', cancel: 'http://h/v1/p/x/cancel', web: 'https://r/p/x' },
    }
    expect(validate(valid)).toBe(true)
    expect(validate({ ...valid, status: 'done' })).toBe(false)
    expect(validate({ ...valid, urls: { get: 'http://h/v1/p/x' } })).toBe(false)
    expect(validate({ ...valid, created_at: 'yesterday' })).toBe(false)
  })

  it('the three create endpoints: 201, with and without Prefer: wait, with Cancel-After', async () => {
    const server = await start()
    const input = { input: { prompt: 'hi' } }
    await call(CREATE_BY_MODEL, `${server.apiUrl}/models/${LLAMA_3}/predictions`, {
      body: input,
    })
    await call(CREATE_BY_VERSION, `${server.apiUrl}/predictions`, {
      body: { version: LLAMA_3, ...input, webhook: 'https://example.com/h', stream: true },
    })
    const synced = await call(
      CREATE_BY_DEPLOYMENT,
      `${server.apiUrl}/deployments/${LLAMA_3}/predictions`,
      {
        body: input,
        headers: { Prefer: 'wait=5', 'Cancel-After': '1m' },
      },
    )
    expect(synced).toMatchObject({
      status: 'succeeded',
      deployment: LLAMA_3,
      deadline: expect.any(String),
    })
  })

  it('GET in every status: starting, processing, succeeded, failed, canceled, aborted', async () => {
    const idle = await start({
      cadence: { firstOutputDelayMs: 60_000, outputIntervalMs: 0 },
      minCancelAfterMs: 0,
    })
    const running = await start({ cadence: { firstOutputDelayMs: 0, outputIntervalMs: 60_000 } })
    const create = async (server: ReplicateServer, headers: Record<string, string> = {}) =>
      call(CREATE_BY_MODEL, `${server.apiUrl}/models/${ECHO_MODEL}/predictions`, {
        body: { input: { prompt: 'one two three' } },
        headers,
      })
    const get = async (server: ReplicateServer, id: unknown) =>
      call(GET, `${server.apiUrl}/predictions/${String(id)}`)

    const starting = await create(idle)
    expect(await get(idle, starting.id)).toMatchObject({ status: 'starting' })
    const aborted = await create(idle, { 'Cancel-After': '0.01s' })
    await expect.poll(() => get(idle, aborted.id)).toMatchObject({ status: 'aborted' })

    const processing = await create(running)
    await expect
      .poll(() => get(running, processing.id))
      .toMatchObject({
        status: 'processing',
        output: ['one'],
      })
    const canceled = await call(
      CANCEL,
      `${running.apiUrl}/predictions/${String(processing.id)}/cancel`,
    )
    expect(canceled).toMatchObject({ status: 'canceled' })
    expect(await get(running, processing.id)).toMatchObject({ status: 'canceled' })

    const done = await start({ faults: { fail: { afterOutputs: 1, times: 1 } } })
    const failing = await create(done)
    const succeeding = await create(done)
    await vi.waitFor(async () => {
      expect(await get(done, failing.id)).toMatchObject({
        status: 'failed',
        error: 'Simulated failure after 1 outputs',
      })
      expect(await get(done, succeeding.id)).toMatchObject({
        status: 'succeeded',
        logs: expect.stringContaining('Completed'),
      })
    }, WAIT)
    // Cancel of a finished prediction answers it unchanged, still schema-valid.
    await call(CANCEL, `${done.apiUrl}/predictions/${String(succeeding.id)}/cancel`)
  })

  it('GET /v1/predictions: empty, pages linked by next/previous, filters', async () => {
    const server = await start()
    expect(await call(LIST, `${server.apiUrl}/predictions`)).toEqual({
      next: null,
      previous: null,
      results: [],
    })
    const ids: string[] = []
    for (let i = 0; i < 101; i++) {
      const response = await fetch(`${server.apiUrl}/models/${ECHO_MODEL}/predictions`, {
        method: 'POST',
        headers: AUTH,
        body: JSON.stringify({ input: { prompt: '' } }),
      })
      ids.push(((await response.json()) as { id: string }).id)
    }
    const first = await call(LIST, `${server.apiUrl}/predictions`)
    expect((first.results as { id: string }[]).map((p) => p.id)).toEqual(ids.slice(1).reverse())
    expect(first.previous).toBeNull()
    const second = await call(LIST, first.next as string)
    expect((second.results as { id: string }[]).map((p) => p.id)).toEqual([ids[0]])
    expect(second.next).toBeNull()
    const back = await call(LIST, second.previous as string)
    expect(back.results).toEqual(first.results)

    const future = new Date(Date.now() + 3_600_000).toISOString()
    expect(
      (await call(LIST, `${server.apiUrl}/predictions?created_after=${future}`)).results,
    ).toEqual([])
    expect(
      (await call(LIST, `${server.apiUrl}/predictions?created_before=${future}`)).results,
    ).toHaveLength(100)
    expect((await call(LIST, `${server.apiUrl}/predictions?source=web`)).results).toEqual([])
  })

  it('covered every documented prediction operation and status except 202', () => {
    const documented = predictionOperations().map((o) => `${o.method} ${o.path} ${o.status}`)
    // 202 ("created but does not yet have all outputs") never appears in recorded traffic
    // (§8 item 6): like Replicate in every recording, the server answers 201.
    expect(documented.filter((o) => !exercised.has(o))).toEqual(
      documented.filter((o) => o.endsWith(' 202')),
    )
  })
})

/** RFC 7807 as Replicate fills it (§1.3): `detail` always, `status`/`title` usually. */
const problemSchema = {
  type: 'object',
  required: ['detail'],
  properties: {
    detail: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    title: { type: 'string' },
    invalid_fields: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'field', 'description'],
        additionalProperties: false,
        properties: {
          type: { type: 'string' },
          field: { type: 'string' },
          description: { type: 'string' },
        },
      },
    },
  },
}
const validateProblem = new Ajv2020({ strict: true }).compile(problemSchema)

describe('error bodies are problem+json', () => {
  it.each([
    [400, 'a body that is not JSON', { body: '{' }],
    [400, 'a malformed Cancel-After', { headers: { 'Cancel-After': 'soon' } }],
    [401, 'a missing token', { headers: { Authorization: '' } }],
    [404, 'an unknown model', { path: '/models/nobody/nothing/predictions' }],
    [405, 'a wrong method', { method: 'DELETE' }],
    [422, 'an invalid input', { body: JSON.stringify({ input: { prompt: 1 } }) }],
    [
      422,
      'an unknown version',
      { path: '/predictions', body: JSON.stringify({ version: 'x', input: {} }) },
    ],
    ...[402, 429, 500, 502, 503].map(
      (status) => [status, `an injected ${status}`, { faults: { create: { status } } }] as const,
    ),
  ] as const)('%i for %s', async (status, _name, options: Record<string, unknown>) => {
    const server = await start({ ...(options.faults ? { faults: options.faults } : {}) })
    const response = await fetch(
      server.apiUrl + ((options.path as string) ?? `/models/${LLAMA_3}/predictions`),
      {
        method: (options.method as string) ?? 'POST',
        headers: { Authorization: `Bearer ${LOCAL_API_TOKEN}`, ...(options.headers as object) },
        body: (options.body as string) ?? JSON.stringify({ input: { prompt: 'hi' } }),
      },
    )
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    const body: unknown = await response.json()
    expect(validateProblem(body), JSON.stringify(validateProblem.errors)).toBe(true)
  })
})
