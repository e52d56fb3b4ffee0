import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiError,
  InvalidOptionsError,
  PredictionFailedError,
  PredictionStream,
} from '../../src/core/index'
import {
  TEXT_RECORDINGS,
  selectRecording,
  recordingsOfModel,
} from '../../src/testing/models/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { cuttingFetch } from '../../testkit/cutting-fetch'
import { settled, until } from '../../testkit/until'
import { trackedTimers } from '../../testkit/tracked-timers'

let server: ReplicateServer

beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'instant' })
})
afterEach(() => server.faults.clear())
afterAll(() => server.close())

/** Runs `test` against a server whose outputs are `intervalMs` apart, then closes it. */
async function withSlowServer(
  intervalMs: number,
  test: (slow: ReplicateServer) => Promise<void>,
): Promise<void> {
  const slow = await startReplicateServer({
    cadence: { firstOutputDelayMs: 0, outputIntervalMs: intervalMs },
  })
  try {
    await test(slow)
  } finally {
    await slow.close()
  }
}

describe('PredictionStream against the local server', () => {
  it.each(TEXT_RECORDINGS.map((recording) => [recording.model, recording] as const))(
    'streams %s exactly as recorded',
    async (model, recording) => {
      const { fetch, requests } = cuttingFetch([])
      const stream = new PredictionStream({ endpoint: server.predictionsUrl, model, fetch })
      const prompt = recording.input.prompt as string
      // The server picks among a model's recordings by prompt; expect the one it will pick.
      const expected = selectRecording(recordingsOfModel(model), { prompt })
      void stream.start({ prompt })
      const snapshot = await until(stream, settled)
      expect(snapshot.status).toBe('succeeded')
      expect(snapshot.text).toBe(expected.output.join(''))
      expect(snapshot.output).toEqual(expected.output)
      expect(snapshot.error).toBeNull()
      expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1)
      expect(requests.filter((r) => r.url.includes('/v1/streams/'))).toHaveLength(1)
    },
  )

  it('ends failed with the server detail and keeps the partial text', async () => {
    server.faults.set({ fail: { afterOutputs: 3, detail: 'CUDA out of memory' } })
    const model = 'meta/llama-2-70b-chat'
    const stream = new PredictionStream({ endpoint: server.predictionsUrl, model })
    void stream.start({ prompt: 'poem' })
    const snapshot = await until(stream, settled)
    const recording = recordingsOfModel(model)[0]!
    expect(snapshot.status).toBe('failed')
    expect(snapshot.error).toBeInstanceOf(PredictionFailedError)
    expect((snapshot.error as PredictionFailedError).detail).toBe('CUDA out of memory')
    expect(snapshot.text).toBe(recording.output.slice(0, 3).join(''))
  })

  it('cancel() cancels on the server and ends canceled', async () => {
    await withSlowServer(20, async (slow) => {
      const stream = new PredictionStream({
        endpoint: slow.predictionsUrl,
        model: 'nateraw/goliath-120b',
      })
      void stream.start({ prompt: 'parmigiano' })
      await until(stream, (s) => s.output.length >= 2)
      await stream.cancel()
      const snapshot = stream.getSnapshot()
      expect(snapshot.status).toBe('canceled')
      expect(snapshot.connection).toBe('closed')
      expect(snapshot.text.length).toBeGreaterThan(0)
      expect(slow.predictions[0]?.status).toBe('canceled')
      await expect.poll(() => slow.openStreams).toBe(0)
    })
  })

  it('resumes with Last-Event-ID after a cut inside an event, applying each event once', async () => {
    const model = 'meta/meta-llama-3-8b-instruct'
    // Cut the first connection 200 bytes in (inside an event), the second 90 bytes in.
    const { fetch, requests } = cuttingFetch([200, 90])
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model,
      fetch,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    })
    void stream.start({ prompt: 'Please write a haiku about llamas' })
    const snapshot = await until(stream, settled)
    const expected = selectRecording(recordingsOfModel(model), {
      prompt: 'Please write a haiku about llamas',
    })
    expect(snapshot.status).toBe('succeeded')
    expect(snapshot.text).toBe(expected.output.join(''))
    expect(snapshot.output).toHaveLength(expected.output.length)
    const streams = requests.filter((r) => r.url.includes('/v1/streams/'))
    expect(streams).toHaveLength(3)
    expect(streams[0]?.lastEventId).toBeNull()
    expect(streams[1]?.lastEventId).toMatch(/^\d+:\d+$/)
    expect(streams[2]?.lastEventId).not.toBe(streams[1]?.lastEventId)
  })

  it('reconciles by GET when the stream keeps ending early, finishing with the full output', async () => {
    // Every connection is cut right after the handshake (`: hi\n\n` is 6 bytes), once the
    // prediction has finished on the server.
    const finished = () =>
      expect.poll(() => server.predictions.at(-1)?.status).toBe('succeeded') as Promise<void>
    const { fetch, requests } = cuttingFetch([6, 6, 6], { beforeStream: finished })
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: 'meta/llama-2-70b-chat',
      fetch,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    })
    void stream.start({ prompt: 'poem' })
    const snapshot = await until(stream, settled)
    const recording = recordingsOfModel('meta/llama-2-70b-chat')[0]!
    expect(requests.filter((r) => r.url.includes('/v1/streams/'))).toHaveLength(3)
    expect(
      requests.filter((r) => r.method === 'GET' && r.url.includes('/api/predictions/')),
    ).toHaveLength(1)
    expect(snapshot.status).toBe('succeeded')
    expect(snapshot.text).toBe(recording.output.join(''))
  })

  it('never reports a stream that keeps ending before done as succeeded: it falls back to polling', async () => {
    await withSlowServer(50, async (slow) => {
      const { fetch, requests } = cuttingFetch([6, 6])
      const timers = trackedTimers()
      const stream = new PredictionStream({
        endpoint: slow.predictionsUrl,
        model: 'nateraw/goliath-120b',
        fetch,
        timers,
        retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 },
        pollIntervalMs: 20,
        maxPollIntervalMs: 20,
      })
      void stream.start({ prompt: 'x' })
      // Two cut connections spend the budget; the prediction is still running, so it is
      // followed by polling GET, its new output items arriving as deltas.
      const polled = await until(stream, (s) => s.transport === 'polling' && s.output.length >= 3)
      expect(polled.status).toBe('processing')
      expect(polled.error).toBeNull()
      expect(requests.filter((r) => r.url.includes('/v1/streams/'))).toHaveLength(2)
      const recorded = recordingsOfModel('nateraw/goliath-120b')[0]!.output
      expect(polled.text).toBe(recorded.slice(0, polled.output.length).join(''))
      stream.disconnect()
      expect(timers.pending).toBe(0)
    })
  })

  it('surfaces a refused create as failed with a typed ApiError and opens no stream', async () => {
    const { fetch, requests } = cuttingFetch([])
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: 'nobody/no-such-model',
      fetch,
    })
    await stream.start({ prompt: 'x' })
    const snapshot = stream.getSnapshot()
    expect(snapshot.status).toBe('failed')
    expect(snapshot.error).toBeInstanceOf(ApiError)
    expect((snapshot.error as ApiError).status).toBe(404)
    expect(requests).toHaveLength(1)
  })

  it('disconnect() closes the stream, leaves the prediction running and stops notifying', async () => {
    await withSlowServer(20, async (slow) => {
      const stream = new PredictionStream({
        endpoint: slow.predictionsUrl,
        model: 'nateraw/goliath-120b',
      })
      void stream.start({ prompt: 'x' })
      await until(stream, (s) => s.output.length >= 1)
      stream.disconnect()
      const after = stream.getSnapshot()
      let notified = 0
      stream.subscribe(() => void (notified += 1))
      await expect.poll(() => slow.openStreams).toBe(0)
      expect(after.connection).toBe('closed')
      expect(after.status).toBe('processing')
      expect(stream.getSnapshot()).toBe(after)
      expect(notified).toBe(0)
      expect(slow.predictions[0]?.status).toBe('processing')
    })
  })

  it('rejects start() without a model, or without an input object, before any request', async () => {
    const { fetch, requests } = cuttingFetch([])
    const bare = new PredictionStream({ endpoint: server.predictionsUrl, fetch })
    await expect(bare.start({ prompt: 'x' })).rejects.toThrow(InvalidOptionsError)
    const stream = new PredictionStream({ endpoint: server.predictionsUrl, model: 'a/b', fetch })
    await expect(stream.start('prompt' as never)).rejects.toThrow(/input object/)
    expect(requests).toHaveLength(0)
    expect(stream.getSnapshot().status).toBe('idle')
  })

  it('rejects invalid options with InvalidOptionsError', async () => {
    expect(() => new PredictionStream({ endpoint: '', model: 'a/b' })).toThrow(InvalidOptionsError)
    expect(() => new PredictionStream({ endpoint: 'http://[::1', model: 'a/b' })).toThrow(
      /not a valid URL/,
    )
    // A relative endpoint can be created outside a browser (a server render does), but not used.
    const { fetch, requests } = cuttingFetch([])
    const relative = new PredictionStream({ endpoint: '/api/predictions', model: 'a/b', fetch })
    await expect(relative.start({ prompt: 'x' })).rejects.toThrow(/must be absolute/)
    await expect(relative.attach('some-id')).rejects.toThrow(/must be absolute/)
    expect(requests).toHaveLength(0)
    expect(relative.getSnapshot().status).toBe('idle')
    expect(
      () => new PredictionStream({ endpoint: server.predictionsUrl, model: 'a/b', version: 'v' }),
    ).toThrow(/only one/)
    expect(() => new PredictionStream({ endpoint: server.predictionsUrl, model: 'llama' })).toThrow(
      /owner\/name/,
    )
  })
})
