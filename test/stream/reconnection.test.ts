import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiError,
  PredictionStream,
  resumeAfterReload,
  type ResumeStorage,
} from '../../src/core/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { cuttingFetch } from '../../testkit/cutting-fetch'
import { settled, until } from '../../testkit/until'
import { trackedTimers } from '../../testkit/tracked-timers'

// The engine against the real local server. Where the network itself must misbehave at an
// exact point (a refused create, a stream that stalls, a response without urls.stream), a
// wrapper of the real fetch does it: the lowest level there is.

let server: ReplicateServer
beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'fast' })
})
afterAll(() => server.close())

const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
const HAIKU = 'Please write a haiku about llamas'
const haiku = selectRecording(recordingsOfModel(LLAMA_3), { prompt: HAIKU }).output

/** Timers that run at once (on the next macrotask) but record every delay asked for. */
function recordingTimers() {
  const delays: number[] = []
  return {
    delays,
    timers: {
      setTimeout: (callback: () => void, ms: number) => {
        delays.push(ms)
        return setTimeout(callback, 0)
      },
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  }
}

/** Answers the first `count` requests matching `match` with `status` (and headers), then passes through. */
function refusing(
  match: (url: string, init?: RequestInit) => boolean,
  count: number,
  status: number,
  headers: Record<string, string> = {},
) {
  const seen: { url: string; method: string; status: number }[] = []
  let left = count
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input)
    const method = init?.method ?? 'GET'
    if (match(url, init) && left > 0) {
      left -= 1
      seen.push({ url, method, status })
      return new Response(JSON.stringify({ detail: `refused with ${status}`, status }), {
        status,
        headers: { 'Content-Type': 'application/problem+json', ...headers },
      })
    }
    const response = await globalThis.fetch(input, init)
    seen.push({ url, method, status: response.status })
    return response
  }
  return { fetch, seen }
}

const isCreate = (url: string, init?: RequestInit) =>
  init?.method === 'POST' && url.endsWith('/api/predictions')
const isStream = (url: string) => url.includes('/v1/streams/')

describe('creating a prediction', () => {
  it('retries 429 (honouring Retry-After) and creates exactly one prediction', async () => {
    const created = server.predictions.length
    const { fetch, seen } = refusing(isCreate, 2, 429, { 'Retry-After': '1' })
    const { timers, delays } = recordingTimers()
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_3,
      fetch,
      timers,
    })
    await stream.start({ prompt: HAIKU })
    const snapshot = await until(stream, settled)
    expect(snapshot.status).toBe('succeeded')
    expect(snapshot.text).toBe(haiku.join(''))
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 429, 201])
    expect(server.predictions.length - created).toBe(1)
    // Retry-After: 1 is the floor of both waits.
    expect(delays.slice(0, 2).every((ms) => ms >= 1000)).toBe(true)
  })

  it('retries 503 only with Retry-After; without it the server may have created one', async () => {
    const withHeader = refusing(isCreate, 1, 503, { 'Retry-After': '0' })
    const first = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_3,
      fetch: withHeader.fetch,
      timers: recordingTimers().timers,
    })
    await first.start({ prompt: HAIKU })
    expect((await until(first, settled)).status).toBe('succeeded')
    const without = refusing(isCreate, 1, 503)
    const second = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_3,
      fetch: without.fetch,
    })
    await second.start({ prompt: HAIKU })
    const snapshot = second.getSnapshot()
    expect(snapshot.status).toBe('failed')
    expect((snapshot.error as ApiError).status).toBe(503)
    expect(without.seen.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it.each([401, 404, 422])('attempts a %i once', async (status) => {
    const { fetch, seen } = refusing(isCreate, 5, status)
    const timers = trackedTimers()
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_3,
      fetch,
      timers,
    })
    await stream.start({ prompt: HAIKU })
    expect(seen).toHaveLength(1)
    expect(stream.getSnapshot()).toMatchObject({ status: 'failed', connection: 'closed' })
    expect((stream.getSnapshot().error as ApiError).status).toBe(status)
    expect(timers.pending).toBe(0)
  })
})

describe('following the stream', () => {
  it('retries a 503 storm on the stream with growing, jittered delays, then reconciles by GET', async () => {
    const { fetch, seen } = refusing((url) => isStream(url), 100, 503)
    const { timers, delays } = recordingTimers()
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_3,
      fetch,
      timers,
      retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 100_000 },
      // Outside every backoff's range (at most 100 · 2⁵ ms), so it can never be mistaken for
      // one: a backoff of 1 ms is a legitimate draw of the jitter (the timers run at once anyway).
      pollIntervalMs: 99_999,
      maxPollIntervalMs: 99_999,
    })
    await stream.start({ prompt: HAIKU })
    const snapshot = await until(stream, settled)
    // 1 + 6 stream attempts, all refused; then the prediction itself is read, and polled.
    expect(seen.filter((r) => isStream(r.url))).toHaveLength(7)
    // The watchdogs (no bytes: 45 s, no event: 300 s) are armed on every connection.
    const backoffs = delays
      .filter((ms) => ms !== 45_000 && ms !== 300_000 && ms !== 99_999)
      .slice(0, 6)
    backoffs.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual(1)
      expect(ms).toBeLessThanOrEqual(100 * 2 ** attempt)
    })
    // Full jitter: not simply the ceilings.
    expect(backoffs.some((ms, attempt) => ms < 100 * 2 ** attempt)).toBe(true)
    expect(snapshot.status).toBe('succeeded')
    expect(snapshot.text).toBe(haiku.join(''))
    expect(snapshot.metrics.reconnects).toBeGreaterThanOrEqual(1)
  })

  it('reconnects a stalled connection (no bytes, no close) and finishes exactly', async () => {
    // The first stream connection delivers `: hi` and then nothing, without closing.
    let stalls = 1
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (!isStream(String(input)) || stalls-- <= 0 || !response.body) return response
      const reader = response.body.getReader()
      const first = await reader.read()
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (first.value) controller.enqueue(first.value.slice(0, 6))
          init?.signal?.addEventListener('abort', () => {
            reader.cancel().catch(() => {})
            controller.error(new DOMException('aborted', 'AbortError'))
          })
        },
      })
      return new Response(body, { status: response.status, headers: response.headers })
    }
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_3,
      fetch,
      stallTimeoutMs: 200,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    })
    await stream.start({ prompt: HAIKU })
    const snapshot = await until(stream, settled)
    expect(snapshot.status).toBe('succeeded')
    expect(snapshot.text).toBe(haiku.join(''))
    expect(snapshot.metrics.reconnects).toBe(1)
  })

  it('follows a prediction without urls.stream by polling, delivering output as deltas', async () => {
    // As if the model could not stream: the create response carries no urls.stream.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (!isCreate(String(input), init)) return response
      const prediction = (await response.json()) as { urls: Record<string, string> }
      delete prediction.urls.stream
      return Response.json(prediction, { status: response.status })
    }
    const outputs: number[] = []
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: 'meta/llama-2-70b-chat',
      fetch,
      pollIntervalMs: 5,
      maxPollIntervalMs: 10,
    })
    stream.subscribe(() => outputs.push(stream.getSnapshot().output.length))
    await stream.start({ prompt: 'poem' })
    const snapshot = await until(stream, settled)
    const recording = recordingsOfModel('meta/llama-2-70b-chat')[0]!.output
    expect(snapshot).toMatchObject({ status: 'succeeded', transport: 'polling' })
    expect(snapshot.text).toBe(recording.join(''))
    expect(snapshot.output).toEqual(recording)
    expect(snapshot.metrics.outputEvents).toBe(recording.length)
  })
})

describe('resume after reload', () => {
  it('re-attaches to the running prediction instead of creating a new one', async () => {
    const memory = new Map<string, string>()
    const storage: ResumeStorage = {
      getItem: (key) => memory.get(key) ?? null,
      setItem: (key, value) => void memory.set(key, value),
      removeItem: (key) => void memory.delete(key),
    }
    const slow = await startReplicateServer({
      cadence: { firstOutputDelayMs: 0, outputIntervalMs: 5 },
    })
    try {
      const before = new PredictionStream({
        endpoint: slow.predictionsUrl,
        model: 'meta/llama-2-70b-chat',
        resume: resumeAfterReload({ key: 'thread-1', storage }),
      })
      void before.start({ prompt: 'poem' })
      await until(before, (s) => s.output.length >= 3)
      expect([...memory.keys()]).toEqual(['react-prediction-stream:thread-1'])
      before.disconnect() // the page goes away
      const { fetch, requests } = cuttingFetch([])
      const after = new PredictionStream({
        endpoint: slow.predictionsUrl,
        fetch,
        resume: resumeAfterReload({ key: 'thread-1', storage }),
      })
      await expect(after.resume()).resolves.toBe(true)
      const snapshot = await until(after, settled)
      expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0)
      expect(slow.predictions).toHaveLength(1)
      expect(snapshot.status).toBe('succeeded')
      expect(snapshot.text).toBe(recordingsOfModel('meta/llama-2-70b-chat')[0]!.output.join(''))
      // Finished: nothing left to resume.
      expect(memory.size).toBe(0)
      await expect(after.resume()).resolves.toBe(false)
    } finally {
      await slow.close()
    }
  })
})

describe('verbs leave nothing behind', () => {
  it('after the end, disconnect() and cancel(), no stream is open and no timer is pending', async () => {
    const slow = await startReplicateServer({
      cadence: { firstOutputDelayMs: 0, outputIntervalMs: 10 },
    })
    try {
      const timers = [trackedTimers(), trackedTimers(), trackedTimers()] as const
      const ended = new PredictionStream({
        endpoint: slow.predictionsUrl,
        model: LLAMA_3,
        timers: timers[0],
      })
      await ended.start({ prompt: HAIKU })
      await until(ended, settled)
      const disconnected = new PredictionStream({
        endpoint: slow.predictionsUrl,
        model: GOLIATH,
        timers: timers[1],
      })
      void disconnected.start({ prompt: 'x' })
      await until(disconnected, (s) => s.output.length > 0)
      disconnected.disconnect()
      const canceled = new PredictionStream({
        endpoint: slow.predictionsUrl,
        model: GOLIATH,
        timers: timers[2],
      })
      void canceled.start({ prompt: 'y' })
      await until(canceled, (s) => s.output.length > 0)
      await canceled.cancel()
      await expect.poll(() => slow.openStreams).toBe(0)
      for (const tracked of timers) expect(tracked.pending).toBe(0)
      expect(canceled.getSnapshot().status).toBe('canceled')
      // And nothing fires afterwards.
      const frozen = [ended, disconnected, canceled].map((stream) => stream.getSnapshot())
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect([ended, disconnected, canceled].map((stream) => stream.getSnapshot())).toEqual(frozen)
    } finally {
      await slow.close()
    }
  })

  it('records time to first output, output rate and reconnects', async () => {
    let clock = 1_000
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_3,
      now: () => (clock += 10),
    })
    await stream.start({ prompt: HAIKU })
    const { metrics } = await until(stream, settled)
    expect(metrics.startedAt).toBe(1_010)
    expect(metrics.outputEvents).toBe(haiku.length)
    expect(metrics.timeToFirstOutputMs).toBeGreaterThan(0)
    expect(metrics.outputEventsPerSecond).toBeGreaterThan(0)
    expect(metrics.completedAt).toBeGreaterThanOrEqual(metrics.lastOutputAt ?? Infinity)
    expect(metrics.reconnects).toBe(0)
  })
})

const GOLIATH = 'nateraw/goliath-120b'
