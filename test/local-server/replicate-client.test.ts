/**
 * Replicate's official JavaScript client (`replicate` 1.4.0), pointed at the local server with
 * `baseUrl`, gets what it would get from Replicate: the recorded text from `stream()`, the
 * recorded `output` array from `wait()`/`run()`, FileOutputs on `/v1/files/` streams, and its own
 * error messages for HTTP failures.
 */
import Replicate, { type FileOutput, type Prediction as ClientPrediction } from 'replicate'
import { describe, expect, it } from 'vitest'
import { LOCAL_API_TOKEN, type ReplicateServer } from '../../src/testing'
import {
  FILE_RECORDINGS,
  fnv1a32,
  recordingsOfModel,
  selectRecording,
  TEXT_RECORDINGS,
  type Recording,
} from '../../src/testing/models/recordings'
import { serverStarter } from '../../testkit/local-server'

const start = serverStarter()
type Identifier = `${string}/${string}`

function client(server: ReplicateServer, options: { useFileOutput?: boolean } = {}) {
  return new Replicate({ auth: LOCAL_API_TOKEN, baseUrl: server.apiUrl, ...options })
}

/** An input whose prompt makes the server replay `recording` (selection hashes the prompt). */
function inputFor(recording: Recording): Record<string, unknown> {
  const recordings = recordingsOfModel(recording.model)
  let prompt = typeof recording.input.prompt === 'string' ? recording.input.prompt : ''
  for (let i = 0; fnv1a32(prompt) % recordings.length !== recordings.indexOf(recording); i++) {
    prompt = `prompt ${i}`
  }
  return { ...recording.input, prompt }
}

const textCases = TEXT_RECORDINGS.map((r, i) => [`${r.model} #${i}`, r] as const)
const fileCases = FILE_RECORDINGS.map((r) => [r.model, r] as const)

describe('replicate.stream()', () => {
  it.each(textCases)('%s: yields the recorded text, then done', async (_name, recording) => {
    const server = await start()
    let text = ''
    const events: string[] = []
    for await (const event of client(server).stream(recording.model as Identifier, {
      input: inputFor(recording),
    })) {
      events.push(event.event)
      text += String(event)
    }
    expect(text).toBe(recording.output.join(''))
    expect(events).toEqual([...recording.output.map(() => 'output'), 'done'])
  })

  it('streams by version (`owner/name:version`) too', async () => {
    const server = await start()
    const recording = recordingsOfModel('meta/llama-2-70b-chat')[0]!
    const outputs: string[] = []
    for await (const event of client(server).stream(
      `${recording.model}:${recording.version}` as Identifier,
      { input: inputFor(recording) },
    )) {
      if (event.event === 'output') outputs.push(event.data)
    }
    expect(outputs).toEqual(recording.output)
  })

  it.each(fileCases)(
    '%s on /v1/files/: the recorded URLs as strings (useFileOutput: false)',
    async (_name, recording) => {
      const server = await start()
      const urls: string[] = []
      for await (const event of client(server).stream(recording.model as Identifier, {
        input: inputFor(recording),
        useFileOutput: false,
      })) {
        if (event.event === 'output') urls.push(event.data)
      }
      expect(urls).toEqual(recording.output)
    },
  )

  it('C-10a: a /v1/files/ stream yields FileOutputs by default', async () => {
    const server = await start()
    const recording = FILE_RECORDINGS.find((r) => r.output.length <= 21)!
    // FileOutput fetches its URL as soon as it exists; the expired replicate.delivery URLs are
    // answered here instead of going to the network.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47])
    const replicate = new Replicate({
      auth: LOCAL_API_TOKEN,
      baseUrl: server.apiUrl,
      fetch: (input, init) => {
        // The client passes URL objects for API calls and strings for file URLs.
        const url = input instanceof Request ? input.url : String(input)
        if (url.startsWith('https://replicate.delivery/')) {
          return Promise.resolve(new Response(png, { headers: { 'Content-Type': 'image/png' } }))
        }
        return fetch(input, init)
      },
    })
    const files: FileOutput[] = []
    for await (const event of replicate.stream(recording.model as Identifier, {
      input: inputFor(recording),
    })) {
      if (event.event === 'output') files.push(event.data as unknown as FileOutput)
    }
    expect(files.every((file) => file instanceof ReadableStream)).toBe(true)
    expect(files.map((file) => file.url().href)).toEqual(recording.output)
    const blob = await files[0]!.blob()
    expect(blob.type).toBe('image/png')
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(png)
  })

  it('C-9: a stream URL answering HTTP 500 rejects with the client’s own message', async () => {
    const server = await start({ faults: { stream: { status: 500, body: '{}' } } })
    const replicate = client(server)
    const consume = async () => {
      for await (const event of replicate.stream('meta/llama-2-70b-chat', {
        input: { prompt: 'x' },
      })) {
        void event
      }
    }
    await expect(consume()).rejects.toThrow(
      new RegExp(
        `^Request to ${server.streamUrl}/v1/streams/[a-z2-7]{52} failed with status 500: \\{\\}$`,
      ),
    )
  })
})

describe('predictions.create / get / cancel and wait()', () => {
  it.each(textCases)('%s: wait() returns the recorded output array', async (_name, recording) => {
    const server = await start()
    const replicate = client(server)
    const created = await replicate.predictions.create({
      model: recording.model,
      input: inputFor(recording),
    })
    expect(created.status).toBe('starting')
    expect(created.urls.stream).toMatch(new RegExp(`^${server.streamUrl}/v1/streams/`))
    const done = await replicate.wait(created, { interval: 5 })
    expect(done.status).toBe('succeeded')
    expect(done.output).toEqual(recording.output)
    const got = await replicate.predictions.get(created.id)
    expect(got).toEqual(done)
  })

  it('creates by version, and cancels a running prediction', async () => {
    const server = await start({ cadence: { firstOutputDelayMs: 0, outputIntervalMs: 60_000 } })
    const replicate = client(server)
    const recording = recordingsOfModel('nateraw/goliath-120b')[0]!
    const created = await replicate.predictions.create({
      version: recording.version,
      input: inputFor(recording),
    })
    await expect.poll(() => server.predictions[0]!.status).toBe('processing')
    const canceled = await replicate.predictions.cancel(created.id)
    expect(canceled).toMatchObject({ id: created.id, status: 'canceled', output: [' Title'] })
    expect(await replicate.wait(created)).toMatchObject({ status: 'canceled' })
  })

  it('creates through a deployment', async () => {
    const server = await start({ deployments: { 'acme/haiku': 'meta/meta-llama-3-8b-instruct' } })
    const replicate = client(server)
    const created = await replicate.deployments.predictions.create('acme', 'haiku', {
      input: { prompt: 'Please write a haiku about llamas' },
    })
    expect(created).toMatchObject({
      model: 'meta/meta-llama-3-8b-instruct',
      deployment: 'acme/haiku',
    })
    const done = await replicate.wait(created, { interval: 5 })
    const recordings = recordingsOfModel('meta/meta-llama-3-8b-instruct')
    expect(done.output).toEqual(
      selectRecording(recordings, created.input as Record<string, unknown>).output,
    )
  })

  it('lists predictions, newest first', async () => {
    const server = await start()
    const replicate = client(server)
    const first = await replicate.predictions.create({
      model: 'local/echo',
      input: { prompt: 'a' },
    })
    const second = await replicate.predictions.create({
      model: 'local/echo',
      input: { prompt: 'b' },
    })
    const pages: ClientPrediction[][] = []
    for await (const page of replicate.paginate(() => replicate.predictions.list()))
      pages.push(page)
    expect(pages.flat().map((p) => p.id)).toEqual([second.id, first.id])
  })
})

describe('replicate.run() (sync mode: Prefer: wait)', () => {
  it.each(textCases)('%s: returns the recorded output array', async (_name, recording) => {
    const server = await start()
    const applied: (string | null)[] = []
    const replicate = new Replicate({
      auth: LOCAL_API_TOKEN,
      baseUrl: server.apiUrl,
      useFileOutput: false,
      fetch: async (input, init) => {
        const response = await fetch(input, init)
        applied.push(response.headers.get('preference-applied'))
        return response
      },
    })
    const output = await replicate.run(recording.model as Identifier, {
      input: inputFor(recording),
    })
    expect(output).toEqual(recording.output)
    // One request: the create was held until the model finished, so no polling was needed.
    const requests = server.requests.filter((r) => r.host === 'api')
    expect(requests.map((r) => [r.method, r.headers.prefer, r.status])).toEqual([
      ['POST', 'wait', 201],
    ])
    expect(applied).toEqual(['wait'])
  })

  it.each(fileCases)('%s: returns the recorded URLs', async (_name, recording) => {
    const server = await start()
    const output = await client(server, { useFileOutput: false }).run(
      recording.model as Identifier,
      {
        input: inputFor(recording),
      },
    )
    expect(output).toEqual(recording.output)
  })
})

describe('HTTP errors through the official client', () => {
  it('E-9: retries a 429 create (twice) and then succeeds', async () => {
    const server = await start({ faults: { create: { status: 429, times: 2 } } })
    const created = await client(server).predictions.create({
      model: 'local/echo',
      input: { prompt: 'hi' },
    })
    expect(created.status).toBe('starting')
    expect(server.requests.map((r) => [r.method, r.status, r.headers.authorization])).toEqual([
      ['POST', 429, `Bearer ${LOCAL_API_TOKEN}`],
      ['POST', 429, `Bearer ${LOCAL_API_TOKEN}`],
      ['POST', 201, `Bearer ${LOCAL_API_TOKEN}`],
    ])
  })

  it('E-10: surfaces a 422 input validation failure as an ApiError with the body', async () => {
    const server = await start()
    await expect(
      client(server).predictions.create({ model: 'meta/llama-2-70b-chat', input: { top_p: 2 } }),
    ).rejects.toThrow(
      `failed with status 422 Unprocessable Entity: {"detail":"- input: prompt is required\\n- input.top_p: Must be less than or equal to 1\\n","status":422,"title":"Input validation failed","invalid_fields":[{"type":"required","field":"input","description":"prompt is required"},{"type":"number_lte","field":"input.top_p","description":"Must be less than or equal to 1"}]}.`,
    )
  })
})
