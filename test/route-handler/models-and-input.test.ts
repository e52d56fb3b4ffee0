/**
 * What a create runs: models, versions and deployments reach their own upstream endpoints;
 * `prepareInput` shapes or refuses the input on the server; `maxRunTimeMs` becomes
 * `Cancel-After`; and the browser's prediction carries named fields only.
 */
import { describe, expect, it, vi } from 'vitest'
import { inputProblem } from '../../src/server'
import { benchStarter, caller, HAIKU, LLAMA_3 } from './harness'

const { start } = benchStarter()

describe('models, versions and deployments', () => {
  it('creates through a deployment: POST /v1/deployments/{owner}/{name}/predictions', async () => {
    const bench = await start(
      { allowedModels: { deployments: ['acme/haiku'] } },
      { deployments: { 'acme/haiku': LLAMA_3 } },
    )
    const alice = caller(bench, 'alice')
    const created = await alice.create({
      deployment: 'acme/haiku',
      input: HAIKU,
      webhook: 'https://evil.example',
    })
    expect(created.status).toBe(201)
    expect(bench.upstreamCalls()).toEqual(['POST /v1/deployments/acme/haiku/predictions'])
    expect(bench.upstream.predictions[0]).toMatchObject({ deployment: 'acme/haiku', input: HAIKU })
    expect(bench.upstream.predictions[0]!.webhook).toBeUndefined()
    expect((await alice.get(created.json.id as string)).status).toBe(200)
  })

  it('creates by version: POST /v1/predictions with { version, input } only', async () => {
    const bench = await start()
    const alice = caller(bench, 'alice')
    expect((await alice.create()).status).toBe(201)
    const { version } = bench.upstream.predictions[0]!
    const reply = await alice.create({ version, input: HAIKU, stream: true })
    expect(reply.status).toBe(201)
    expect(bench.upstreamCalls()).toEqual([
      `POST /v1/models/${LLAMA_3}/predictions`,
      'POST /v1/predictions',
    ])
    expect(bench.upstream.predictions[1]).toMatchObject({ version, input: HAIKU })
  })
})

describe('prepareInput', () => {
  it('changes the input before it goes upstream, with model, kind, subject and request', async () => {
    const seen: unknown[] = []
    const bench = await start({
      prepareInput: ({ input, model, kind, subject, request }) => {
        seen.push({ input, model, kind, subject, header: request.headers.get('x-test-user') })
        return { ...input, system_prompt: 'Answer in French.', max_new_tokens: 64 }
      },
    })
    const reply = await caller(bench, 'alice').create({
      model: LLAMA_3,
      input: { ...HAIKU, max_new_tokens: 100_000 },
    })
    expect(reply.status).toBe(201)
    expect(seen).toEqual([
      {
        input: { ...HAIKU, max_new_tokens: 100_000 },
        model: LLAMA_3,
        kind: 'model',
        subject: 'alice',
        header: 'alice',
      },
    ])
    expect(bench.upstream.predictions[0]!.input).toEqual({
      ...HAIKU,
      system_prompt: 'Answer in French.',
      max_new_tokens: 64,
    })
    // The input is the server's business unless the app opts in.
    expect(reply.json.input).toBeUndefined()
  })

  it("refuses with its own response (Replicate's 422 shape via inputProblem), with no upstream call", async () => {
    const bench = await start({
      prepareInput: async ({ input }) =>
        String(input.prompt).length > 10
          ? inputProblem([
              { type: 'max_length', field: 'input.prompt', description: 'At most 10 characters' },
            ])
          : input,
    })
    const reply = await caller(bench, 'alice').create()
    expect(reply.status).toBe(422)
    expect(reply.headers.get('cache-control')).toBe('no-store')
    expect(reply.json).toEqual({
      title: 'Input validation failed',
      detail: '- input.prompt: At most 10 characters\n',
      status: 422,
      invalid_fields: [
        { type: 'max_length', field: 'input.prompt', description: 'At most 10 characters' },
      ],
    })
    expect(bench.upstreamCalls()).toEqual([])
  })

  it('500 with a log line when it throws or returns something that is not an input', async () => {
    for (const prepareInput of [
      () => {
        throw new Error('moderation service down')
      },
      () => 'not an object' as never,
    ]) {
      const bench = await start({ prepareInput, maxConcurrentPredictions: 1 })
      const alice = caller(bench, 'alice')
      expect((await alice.create()).status).toBe(500)
      expect(bench.errors.map((e) => e.code)).toEqual(['internal'])
      expect(bench.upstreamCalls()).toEqual([])
      // The reservation was released: the cap of 1 is free again.
      expect((await alice.create()).status).toBe(500)
    }
  })
})

describe('maxRunTimeMs', () => {
  it('is sent upstream as Cancel-After in whole seconds, and the deadline reaches the browser', async () => {
    const bench = await start({ maxRunTimeMs: 90_500 })
    const reply = await caller(bench, 'alice').create()
    const create = bench.upstream.requests.find((r) => r.method === 'POST')!
    expect(create.headers['cancel-after']).toBe('91s')
    expect(reply.json.deadline).toBe(bench.upstream.predictions[0]!.deadline)
    expect(typeof reply.json.deadline).toBe('string')
  })
})

describe("the browser's prediction", () => {
  it('carries named fields only; logs and input when the app opts in', async () => {
    const plain = await start()
    const alice = caller(plain, 'alice')
    const created = await alice.create()
    await vi.waitFor(() => expect(plain.upstream.predictions[0]!.status).toBe('succeeded'))
    const upstream = plain.upstream.predictions[0]!
    const reference = created.json.id as string
    const got = await alice.get(reference)
    const named = ['created_at', 'started_at', 'completed_at', 'data_removed', 'metrics']
    expect(Object.keys(got.json).sort()).toEqual(
      ['id', 'status', 'output', 'error', 'urls', ...named.filter((key) => key in upstream)].sort(),
    )
    expect(got.json).toEqual({
      id: reference,
      status: 'succeeded',
      output: upstream.output,
      error: null,
      urls: {
        get: `${plain.endpoint}/${reference}`,
        cancel: `${plain.endpoint}/${reference}/cancel`,
        stream: upstream.urls.stream,
      },
      created_at: upstream.created_at,
      started_at: upstream.started_at,
      completed_at: upstream.completed_at,
      data_removed: upstream.data_removed,
      metrics: upstream.metrics,
    })
    for (const hidden of ['model', 'version', 'input', 'logs', 'webhook', 'source']) {
      expect(got.json[hidden]).toBeUndefined()
    }
    expect(got.json.urls).not.toHaveProperty('web')

    const open = await start({ exposeLogs: true, exposeInput: true }, plain.upstream)
    const shown = await caller(open, 'alice').create()
    expect(shown.json.input).toEqual(HAIKU)
    expect(typeof shown.json.logs).toBe('string')
  })
})
