import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, PredictionStream } from '../../src/core/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { heldTimers } from '../../testkit/held-timers'
import { settled, until } from '../../testkit/until'

// jsdom, for the page's own events: what wakes a run (visibility, the Page Lifecycle API's
// `resume`, the back/forward cache's `pageshow`, `online` after `offline`) and what may not
// become final while the page is hidden. Long timers are held for ever
// (testkit/held-timers.ts), so a run that gets past a backoff was woken by the event.

const LLAMA_2 = 'meta/llama-2-70b-chat'
const PROMPT = 'Write a poem'
const expected = selectRecording(recordingsOfModel(LLAMA_2), { prompt: PROMPT }).output

let server: ReplicateServer
beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'fast' })
})
afterAll(() => server.close())

let hidden = false
let online = true
Object.defineProperty(document, 'visibilityState', {
  configurable: true,
  get: () => (hidden ? 'hidden' : 'visible'),
})
Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online })
afterEach(() => {
  hidden = false
  online = true
  server.faults.clear()
})

const streamRequests = (since: number) =>
  server.requests.filter((r) => r.seq >= since && r.path.startsWith('/v1/streams/'))

/** A stream whose first connection is refused, waiting in a backoff that never ends by itself. */
async function waitingInBackoff() {
  const since = server.requests.length
  server.faults.set({ stream: { status: 503, times: 1 } })
  const stream = new PredictionStream({
    endpoint: server.predictionsUrl,
    model: LLAMA_2,
    timers: heldTimers(),
    retry: { baseDelayMs: 1e9, maxDelayMs: 1e9, maxElapsedMs: 1e12 },
  })
  void stream.start({ prompt: PROMPT })
  await until(stream, (s) => s.connection === 'reconnecting')
  expect(streamRequests(since)).toHaveLength(1)
  return { stream, since }
}

const wakeUps: [string, () => void][] = [
  [
    'visibilitychange to visible',
    () => {
      hidden = true
      document.dispatchEvent(new Event('visibilitychange'))
      hidden = false
      document.dispatchEvent(new Event('visibilitychange'))
    },
  ],
  ['resume after freeze', () => document.dispatchEvent(new Event('resume'))],
  [
    'pageshow from the back/forward cache',
    () => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })),
  ],
  [
    'online after offline',
    () => {
      online = false
      window.dispatchEvent(new Event('offline'))
      online = true
      window.dispatchEvent(new Event('online'))
    },
  ],
]

describe('the page wakes a run', () => {
  it.each(wakeUps)('%s ends the backoff and reconnects', async (_, wakeUp) => {
    const { stream, since } = await waitingInBackoff()
    wakeUp()
    const done = await until(stream, settled)
    expect(done.error).toBeNull()
    expect(done.text).toBe(expected.join(''))
    expect(streamRequests(since)).toHaveLength(2)
  })
})

describe('while the page is hidden', () => {
  it('gives nothing up: the retries start afresh once it is visible', async () => {
    const since = server.requests.length
    const created = server.predictions.length
    hidden = true
    // More refusals than the budget allows: a visible page would end `failed` after two.
    server.faults.set({ create: { status: 429, retryAfterSeconds: 0, times: 3 } })
    const listening: string[] = []
    const addEventListener = document.addEventListener.bind(document)
    document.addEventListener = (type: string, ...rest: [EventListener]) => {
      listening.push(type)
      addEventListener(type, ...rest)
    }
    try {
      const stream = new PredictionStream({
        endpoint: server.predictionsUrl,
        model: LLAMA_2,
        retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 },
      })
      void stream.start({ prompt: PROMPT })
      // The run's wake-up listener, then the one that waits for the page to be visible again.
      await expect
        .poll(() => listening.filter((type) => type === 'visibilitychange'))
        .toHaveLength(2)
      const waiting = stream.getSnapshot()
      expect(waiting.error).toBeNull()
      expect(waiting.status).toBe('starting')
      const refused = server.requests.filter((r) => r.seq >= since && r.status === 429)
      expect(refused.length).toBeGreaterThanOrEqual(2)
      hidden = false
      document.dispatchEvent(new Event('visibilitychange'))
      const done = await until(stream, settled)
      expect(done.error).toBeNull()
      expect(done.status).toBe('succeeded')
      expect(done.text).toBe(expected.join(''))
      // Refused creates created nothing: exactly one prediction.
      expect(server.predictions).toHaveLength(created + 1)
    } finally {
      document.addEventListener = addEventListener
    }
  })

  it('ends as usual once visible: the same refusals fail a visible page', async () => {
    server.faults.set({ create: { status: 429, retryAfterSeconds: 0, times: 3 } })
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: LLAMA_2,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 },
    })
    await stream.start({ prompt: PROMPT })
    expect(stream.getSnapshot().error).toBeInstanceOf(ApiError)
    expect(stream.getSnapshot().status).toBe('failed')
  })
})
