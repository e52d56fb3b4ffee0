import { afterAll, beforeAll, expect, it } from 'vitest'
import { PredictionStream } from '../../src/core/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { cuttingFetch } from '../../testkit/cutting-fetch'
import { until } from '../../testkit/until'

// jsdom, because `navigator.onLine` and the window's `online` event are browser APIs.

let server: ReplicateServer
beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'fast' })
})
afterAll(() => server.close())

/**
 * Resolves when something starts listening for the window's `type` event: for `online`, the
 * moment a run begins waiting for the network. An event, not a guess at how long that takes.
 */
function whenListeningFor(type: string): Promise<void> {
  const target = globalThis as { addEventListener: (...args: unknown[]) => void }
  const original = target.addEventListener
  return new Promise((resolve) => {
    target.addEventListener = function (this: unknown, ...args: unknown[]) {
      if (args[0] === type) {
        target.addEventListener = original
        resolve()
      }
      return original.apply(this, args)
    }
  })
}

it('waits for `online` instead of burning retries while the browser is offline', async () => {
  const model = 'meta/meta-llama-3-8b-instruct'
  const prompt = 'Please write a haiku about llamas'
  let online = true
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online })
  try {
    // The first stream connection is cut 200 bytes in, as the network drops.
    const { fetch, requests } = cuttingFetch([200], {
      beforeStream: async () => {
        online = false
      },
    })
    const stream = new PredictionStream({
      endpoint: server.predictionsUrl,
      model,
      fetch,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    })
    const waitingForOnline = whenListeningFor('online')
    void stream.start({ prompt })
    await waitingForOnline
    const streamRequests = () => requests.filter((r) => r.url.includes('/v1/streams/')).length
    // Offline: the run waits for `online` with no second attempt (and the count of 2 below shows
    // it burned none while it waited).
    expect(streamRequests()).toBe(1)
    online = true
    window.dispatchEvent(new Event('online'))
    const snapshot = await until(stream, (s) => s.connection === 'closed')
    expect(snapshot.status).toBe('succeeded')
    expect(snapshot.text).toBe(
      selectRecording(recordingsOfModel(model), { prompt }).output.join(''),
    )
    expect(streamRequests()).toBe(2)
  } finally {
    delete (navigator as { onLine?: boolean }).onLine
  }
})
