import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  PredictionStream,
  resumeAfterReload,
  type ResumeStorage,
  type StoredPrediction,
} from '../../src/core/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { settled, until } from '../../testkit/until'

// `resume`: a reload in the middle of a stream. The page before the reload is a stream that
// disconnects; the page after is a new stream on the same storage. Chromium runs the same with
// a real reload and sessionStorage (chromium-lifecycle.test.ts).

const GOLIATH = 'nateraw/goliath-120b'
const PROMPT = 'Tell me a story'
const expected = selectRecording(recordingsOfModel(GOLIATH), { prompt: PROMPT }).output
const KEY = 'thread-1'
const STORAGE_KEY = `react-prediction-stream:${KEY}`

let server: ReplicateServer
beforeAll(async () => {
  // ≈ 1 s for the 927 tokens.
  server = await startReplicateServer({ cadence: { firstOutputDelayMs: 0, outputIntervalMs: 1 } })
})
afterAll(() => server.close())

/** `sessionStorage`'s contract in memory, counting writes, refusing values over `quota`. */
function memoryStorage(quota = Infinity) {
  const entries = new Map<string, string>()
  const storage: ResumeStorage & { writes: number; stored(): StoredPrediction | undefined } = {
    writes: 0,
    getItem: (key) => entries.get(key) ?? null,
    setItem(key, value) {
      if (value.length > quota)
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      storage.writes += 1
      entries.set(key, value)
    },
    removeItem: (key) => void entries.delete(key),
    stored() {
      const raw = entries.get(STORAGE_KEY)
      return raw === undefined ? undefined : (JSON.parse(raw) as StoredPrediction)
    },
  }
  return storage
}

const streamRequests = (since: number) =>
  server.requests.filter((r) => r.seq >= since && r.path.startsWith('/v1/streams/'))
const creates = (since: number) =>
  server.requests.filter((r) => r.seq >= since && r.method === 'POST' && r.path.startsWith('/v1/'))

/**
 * The page before the reload: starts the prediction, and goes away once it has `atLeast` items
 * and has stored the prediction (with as many of its items as storage took).
 */
async function pageBeforeReload(
  storage: ResumeStorage & { stored(): StoredPrediction | undefined },
  atLeast: number,
) {
  const before = new PredictionStream({
    endpoint: server.predictionsUrl,
    model: GOLIATH,
    resume: resumeAfterReload({ key: KEY, storage }),
  })
  void before.start({ prompt: PROMPT })
  await until(before, (s) => s.output.length >= atLeast)
  await expect.poll(() => storage.stored()?.id).toBeDefined()
  before.disconnect()
  return storage.stored()!
}

/** The page after the reload, with the responses it got. */
function pageAfterReload(storage: ResumeStorage) {
  const responses: string[] = []
  const after = new PredictionStream({
    endpoint: server.predictionsUrl,
    resume: resumeAfterReload({ key: KEY, storage }),
    fetch: async (input, init) => {
      const response = await fetch(input, init)
      responses.push(String(input))
      return response
    },
  })
  return { stream: after, responses }
}

describe('resume without replay', { timeout: 30_000 }, () => {
  it('shows the stored text before any reply, then asks only for the events after it', async () => {
    const since = server.requests.length
    const storage = memoryStorage()
    const stored = await pageBeforeReload(storage, 300)
    const after = pageAfterReload(storage)
    const resumed = after.stream.resume()
    // Synchronously, before any response: the text, items and last event ID of the page before.
    expect(after.responses).toEqual([])
    const shown = after.stream.getSnapshot()
    expect(shown.text).toBe(stored.output!.join(''))
    expect(shown.output).toEqual(stored.output)
    expect(shown.lastEventId).toBe(stored.lastEventId)
    await expect(resumed).resolves.toBe(true)
    const done = after.stream.getSnapshot()
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    expect(done.text).toBe(expected.join(''))
    expect(done.output).toEqual(expected)
    // Only what it missed was applied, and the stream was asked for it by its last event ID.
    expect(done.metrics.outputEvents).toBe(expected.length - stored.output!.length)
    const [first, second, ...more] = streamRequests(since)
    expect(more).toEqual([])
    expect(first!.headers['last-event-id']).toBeUndefined()
    expect(second!.headers['last-event-id']).toBe(stored.lastEventId)
    expect(creates(since)).toHaveLength(1)
    // Finished: nothing is left to resume.
    expect(storage.stored()).toBeUndefined()
  })

  it('drops the replay of a server that does not know the last event ID', async () => {
    const storage = memoryStorage()
    const stored = await pageBeforeReload(storage, 200)
    // The same position, spelt so the server does not recognise it: it replays from the start.
    storage.setItem(
      STORAGE_KEY,
      JSON.stringify({ ...stored, lastEventId: `0${stored.lastEventId}` }),
    )
    const after = pageAfterReload(storage)
    await after.stream.resume()
    const done = after.stream.getSnapshot()
    expect(done.error).toBeNull()
    expect(done.text).toBe(expected.join(''))
    expect(done.metrics.outputEvents).toBe(expected.length - stored.output!.length)
  })

  it('keeps the prediction when its items do not fit in storage, and replays it', async () => {
    const since = server.requests.length
    // Room for the prediction's id and urls, not for hundreds of items.
    const storage = memoryStorage(1_000)
    const stored = await pageBeforeReload(storage, 200)
    expect(stored.output).toBeUndefined()
    expect(stored.lastEventId).toBeNull()
    const after = pageAfterReload(storage)
    const resumed = after.stream.resume()
    expect(after.stream.getSnapshot().text).toBe('')
    await resumed
    const done = await until(after.stream, settled)
    expect(done.error).toBeNull()
    expect(done.text).toBe(expected.join(''))
    expect(done.metrics.outputEvents).toBe(expected.length)
    expect(streamRequests(since).at(-1)!.headers['last-event-id']).toBeUndefined()
  })

  it('writes at most about once per second, and forgets the prediction when it ends', async () => {
    const storage = memoryStorage()
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model: GOLIATH,
      resume: resumeAfterReload({ key: KEY, storage }),
    })
    const startedAt = Date.now()
    await stream.start({ prompt: PROMPT })
    const seconds = (Date.now() - startedAt) / 1000
    expect(stream.getSnapshot().text).toBe(expected.join(''))
    // One write when the prediction is created, then at most one per second.
    expect(storage.writes).toBeLessThanOrEqual(2 + Math.ceil(seconds))
    expect(storage.stored()).toBeUndefined()
  })
})
