/**
 * The "expected final lastEventId / retry" column of docs/sse-transport.md §8.1, where it is
 * observable: `PredictionStream`'s `lastEventId` and the `Last-Event-ID` header of the reconnect
 * that follows a stream ending without `done`, and the delay before that reconnect.
 *
 * `openEventStream` cannot express the persistent WHATWG value (eventsource-parser 3.1 gives
 * each event only its own block's id, see sse-vectors.ts); `PredictionStream` layers it on top.
 * Chunkings are covered by the openEventStream suite; each vector is fed whole here.
 */
import { describe, expect, it } from 'vitest'
import {
  created,
  decodeHeader,
  predictionHarness,
  sse,
  sseEvent,
  type Step,
} from '../../testkit/conformance-prediction'
import { parserVectors } from '../../testkit/sse-vectors'

/** The default first backoff ceiling (retry.ts): without a valid `retry:` no delay exceeds it. */
const BASE_DELAY_MS = 500

describe('§8.1 last event ID and retry through PredictionStream', () => {
  for (const vector of parserVectors) {
    if (vector.lastEventId === undefined) continue
    const expected = vector.lastEventId
    it(`${vector.name}: last event ID "${expected}"${vector.retry ? `, retry ${vector.retry}` : ''}`, async () => {
      const terminal = vector.events.some(([type]) => type === 'done')
      const steps: Step[] = [created(), sse(vector.input)]
      // The server resumes after the last event ID; `done` ends the run.
      if (!terminal) steps.push(sse(sseEvent('done', undefined, '{}')))
      const run = predictionHarness(steps)
      await run.start()

      expect(run.routes()).toEqual(terminal ? ['create', 'stream'] : ['create', 'stream', 'stream'])
      expect(run.snapshot().status).toBe('succeeded')
      expect(run.snapshot().lastEventId ?? '').toBe(expected)
      const [first, reconnect] = run.streamRequests()
      expect(first?.lastEventId).toBeNull()
      if (terminal) return
      // An empty last event ID sends no header at all (WHATWG §9.2.3).
      expect(decodeHeader(reconnect?.lastEventId ?? null)).toBe(expected === '' ? null : expected)
      const delay = run.delays[0] ?? NaN
      if (vector.retry === undefined) {
        expect(delay).toBeLessThanOrEqual(BASE_DELAY_MS)
      } else {
        // A valid `retry:` is the floor of the backoff (docs/design.md rule 5).
        expect(delay).toBeGreaterThanOrEqual(vector.retry)
        expect(delay).toBeLessThanOrEqual(Math.max(vector.retry, BASE_DELAY_MS))
      }
    })
  }
})
