import { afterAll, beforeAll, expect, it } from 'vitest'
import { PredictionStream } from '../../src/core/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { cuttingFetch } from '../support/cutting-fetch'
import { until } from '../support/until'

// jsdom, because `navigator.onLine` and the window's `online` event are browser APIs.

let server: ReplicateServer
beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'fast' })
})
afterAll(() => server.close())

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
    void stream.start({ prompt })
    await until(stream, (s) => s.connection === 'reconnecting' || s.connection === 'connecting')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const streamRequests = () => requests.filter((r) => r.url.includes('/v1/streams/')).length
    // Offline: no second attempt was made, however long we wait.
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
