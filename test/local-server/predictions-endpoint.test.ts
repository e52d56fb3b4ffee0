import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Prediction } from '../../src/core/prediction'
import {
  createReplicateApp,
  LOCAL_API_TOKEN,
  startReplicateServer,
  type ReplicateApp,
  type ReplicateServer,
  type ReplicateServerOptions,
} from '../../src/testing'
import { recordingsOfModel } from '../../src/testing/models/recordings'
import { HAIKU, LLAMA_3, readStream, streamEvents, untilDone } from '../../testkit/local-server'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

async function start(options: ReplicateServerOptions = {}): Promise<ReplicateServer> {
  const server = await startReplicateServer({ cadence: 'instant', ...options })
  cleanups.push(() => server.close())
  return server
}

/** Calls the endpoint and returns status, raw text and parsed body. */
async function call(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init)
  const text = await response.text()
  return { response, text, body: JSON.parse(text) as Prediction & Record<string, unknown> }
}

const create = (url: string, body: unknown) =>
  call(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('the mounted route handler (predictionsEndpoint)', () => {
  it('creates, streams, gets and cancels without exposing the token', async () => {
    const token = 'r8_secret_for_this_test_only'
    const server = await start({
      token,
      cadence: { firstOutputDelayMs: 0, outputIntervalMs: 60_000 },
    })
    expect(server.predictionsUrl).toBe(`${server.url}/api/predictions`)

    const created = await create(server.predictionsUrl, {
      model: LLAMA_3,
      input: { prompt: HAIKU },
    })
    expect(created.response.status).toBe(201)
    expect(created.body).toMatchObject({ status: 'starting', input: { prompt: HAIKU } })
    // The route hands out a signed reference, not Replicate's id.
    expect(created.body.id).not.toBe(server.predictions[0]!.id)
    expect(created.body.urls.stream).toMatch(
      new RegExp(`^${server.streamUrl}/v1/streams/[a-z2-7]{52}$`),
    )

    // The stream URL is a capability URL: the browser fetches it directly, without a token.
    const { text } = await readStream(created.body.urls.stream!, (t) => t.includes('event: output'))
    expect(text).toMatch(/^: hi\n\nevent: output\n/)

    const got = await call(`${server.predictionsUrl}/${created.body.id}`)
    expect(got.response.status).toBe(200)
    expect(got.body).toMatchObject({ id: created.body.id, status: 'processing' })

    const canceled = await call(`${server.predictionsUrl}/${created.body.id}/cancel`, {
      method: 'POST',
    })
    expect(canceled.response.status).toBe(200)
    expect(canceled.body).toMatchObject({ id: created.body.id, status: 'canceled' })
    const events = await streamEvents(created.body.urls.stream!)
    expect(events.at(-1)).toMatchObject({ event: 'done', data: '{"reason": "canceled"}' })

    for (const { text: raw, response } of [created, got, canceled]) {
      expect(raw).not.toContain(token)
      expect([...response.headers.values()].join(' ')).not.toContain(token)
    }
    expect(server.predictions.map((p) => p.status)).toEqual(['canceled'])
  })

  it('creates by version and streams the recording to done', async () => {
    const server = await start()
    const [llama2] = recordingsOfModel('meta/llama-2-70b-chat')
    const created = await create(server.predictionsUrl, {
      version: `meta/llama-2-70b-chat:${llama2!.version}`,
      input: { prompt: 'poem' },
    })
    expect(created.response.status).toBe(201)
    const events = await streamEvents(created.body.urls.stream!)
    const text = events
      .filter((e) => e.event === 'output')
      .map((e) => e.data)
      .join('')
    expect(text).toBe(llama2!.output.join(''))
  })

  it('passes Replicate errors through (404 unknown model, 422 unknown version)', async () => {
    const server = await start()
    const unknownModel = await create(server.predictionsUrl, { model: 'no/such', input: {} })
    expect(unknownModel.response.status).toBe(404)
    const unknownVersion = await create(server.predictionsUrl, {
      version: 'f'.repeat(64),
      input: {},
    })
    expect(unknownVersion.response.status).toBe(422)
    expect(unknownVersion.body.title).toBe('Invalid version or not permitted')
    const unknownId = await call(`${server.predictionsUrl}/nothere`)
    expect(unknownId.response.status).toBe(404)
  })

  it('mounts at a custom path, or not at all', async () => {
    const custom = await start({ predictionsEndpoint: '/replicate' })
    expect(custom.predictionsUrl).toBe(`${custom.url}/replicate`)
    const created = await create(custom.predictionsUrl, { model: LLAMA_3, input: { prompt: 'x' } })
    expect(created.response.status).toBe(201)
    expect((await fetch(`${custom.url}/api/predictions`, { method: 'POST' })).status).toBe(404)

    const none = await start({ predictionsEndpoint: null })
    expect(none.predictionsUrl).toBe('')
    expect((await fetch(`${none.url}/api/predictions`, { method: 'POST' })).status).toBe(404)
  })
})

describe('handle() as Connect middleware', () => {
  async function listen(app: ReplicateApp): Promise<string> {
    const server: Server = createServer((req, res) =>
      app.handle(req, res, () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' })
        res.end('next middleware')
      }),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      await app.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    })
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  it('serves /v1 and the endpoint, and passes other paths to next()', async () => {
    const app = createReplicateApp({ cadence: 'instant' })
    const origin = await listen(app)
    expect(await (await fetch(`${origin}/iframe.html`)).text()).toBe('next middleware')
    expect(await (await fetch(`${origin}/api/predictions-other`)).text()).toBe('next middleware')
    expect((await fetch(`${origin}/v1/predictions`)).status).toBe(401)

    const created = await create(`${origin}/api/predictions`, {
      model: LLAMA_3,
      input: { prompt: HAIKU },
    })
    // Mounted, the app owns one port: streams stay same-origin.
    expect(created.body.urls.stream!.startsWith(`${origin}/v1/streams/`)).toBe(true)
    const { text } = await readStream(created.body.urls.stream!, untilDone)
    expect(text).toMatch(/data: \{\}\n\n$/)
    expect(app.predictions).toHaveLength(1)
    await expect.poll(() => app.openStreams).toBe(0)
  })

  it('answers 404 for unmatched paths without next, and 503 after close', async () => {
    const app = createReplicateApp({ cadence: 'instant' })
    const server = createServer((req, res) => app.handle(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    })
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    expect((await fetch(`${origin}/elsewhere`)).status).toBe(404)
    await app.close()
    const response = await fetch(`${origin}/v1/predictions`, {
      headers: { Authorization: `Bearer ${LOCAL_API_TOKEN}` },
    })
    expect(response.status).toBe(503)
  })
})
