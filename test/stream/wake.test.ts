import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PredictionStream, watchPredictionStream } from '../../src/core/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { heldTimers } from '../../testkit/held-timers'
import { settled, until } from '../../testkit/until'

// `wake()`: what a page coming back from a sleep does to a run (browsers call it on their own:
// page-wake.dom.test.ts and chromium-lifecycle.test.ts). Long timers are held for ever
// (testkit/held-timers.ts), so a run that ends after a backoff or a stall was moved on by the
// wake-up and nothing else.

const LLAMA_2 = 'meta/llama-2-70b-chat'
const PROMPT = 'Write a poem'
const expected = selectRecording(recordingsOfModel(LLAMA_2), { prompt: PROMPT }).output
/** Backoffs of up to a billion ms: without a wake-up, the retry never comes. */
const NEVER = { baseDelayMs: 1e9, maxDelayMs: 1e9, maxElapsedMs: 1e12 }

let server: ReplicateServer
beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'fast' })
})
afterAll(() => server.close())

const streamRequests = (since: number) =>
  server.requests.filter((r) => r.seq >= since && r.path.startsWith('/v1/streams/'))

/** Every microtask and pending callback of this turn has run. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('wake()', () => {
  it('ends a backoff at once and reconnects', async () => {
    const since = server.requests.length
    server.faults.set({ stream: { status: 503, times: 1 } })
    const timers = heldTimers()
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_2,
      timers,
      retry: NEVER,
    })
    void stream.start({ prompt: PROMPT })
    await until(stream, (s) => s.connection === 'reconnecting')
    expect(streamRequests(since)).toHaveLength(1)
    stream.wake()
    const done = await until(stream, settled)
    expect(done.error).toBeNull()
    expect(done.text).toBe(expected.join(''))
    expect(streamRequests(since)).toHaveLength(2)
  })

  it('keeps a wait the server asked for with Retry-After', async () => {
    const since = server.requests.length
    server.faults.set({ stream: { status: 503, times: 1 } })
    let asked = false
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_2,
      timers: heldTimers(),
      retry: NEVER,
      // The stream host's 503 says when to come back.
      fetch: async (input, init) => {
        const response = await fetch(input, init)
        if (response.status !== 503 || asked) return response
        asked = true
        const headers = new Headers(response.headers)
        headers.set('Retry-After', '3600')
        return new Response(response.body, { status: 503, headers })
      },
    })
    void stream.start({ prompt: PROMPT })
    await until(stream, (s) => s.connection === 'reconnecting')
    stream.wake()
    await nextTurn()
    expect(streamRequests(since)).toHaveLength(1)
    expect(stream.getSnapshot().connection).toBe('reconnecting')
    stream.disconnect()
  })

  it('reopens a connection that was silent through the sleep, from its last event ID', async () => {
    const since = server.requests.length
    server.faults.set({ stream: { stallAfter: { events: 20 }, times: 1 } })
    let slept = 0
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_2,
      timers: heldTimers(),
      retry: NEVER,
      // The clock jumps as a frozen page's does when it resumes.
      now: () => Date.now() + slept,
    })
    let applied = 0
    watchPredictionStream(stream, { onOutput: () => void (applied += 1) })
    void stream.start({ prompt: PROMPT })
    const stalled = await until(stream, (s) => s.output.length === 20)
    slept += 5_000
    stream.wake()
    const done = await until(stream, settled)
    expect(done.error).toBeNull()
    expect(done.text).toBe(expected.join(''))
    expect(applied).toBe(expected.length)
    const [first, second, ...more] = streamRequests(since)
    expect(more).toEqual([])
    expect(first!.headers['last-event-id']).toBeUndefined()
    expect(second!.headers['last-event-id']).toBe(stalled.lastEventId)
  })

  it('leaves a connection that is delivering alone', async () => {
    const since = server.requests.length
    server.faults.clear()
    const stream = new PredictionStream({ endpoint: server.predictionsUrl, model: LLAMA_2 })
    let woken = 0
    watchPredictionStream(stream, {
      onOutput: () => {
        if (woken < 20) {
          woken += 1
          stream.wake()
        }
      },
    })
    await stream.start({ prompt: PROMPT })
    expect(stream.getSnapshot().text).toBe(expected.join(''))
    expect(woken).toBe(20)
    expect(streamRequests(since)).toHaveLength(1)
  })
})
