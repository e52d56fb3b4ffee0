import { describe, expect, it } from 'vitest'
import type { StreamPhase } from '../../src/core/types'
import {
  created,
  json,
  prediction,
  predictionHarness,
  sse,
  sseEvent,
} from '../../testkit/conformance-prediction'

// Users ask where a prediction is and how long each part took: waiting in the queue, booting,
// generating, stalled. A clock that advances 10 ms per reading makes every duration exact.
function tickingClock() {
  let now = 1_000
  return () => (now += 10)
}

describe('phases and their durations', () => {
  it('goes queued → booting → generating → done, with create, queue and generation times', async () => {
    const run = predictionHarness(
      [
        created({ status: 'starting' }),
        sse(
          sseEvent('logs', '1:0', 'Loading weights'),
          sseEvent('output', '1:1', 'Hi'),
          sseEvent('output', '1:2', ' there'),
        ),
        sse(sseEvent('done', '1:3', '{}')),
      ],
      { now: tickingClock() },
    )
    const phases: StreamPhase[] = []
    run.stream.subscribe(() => {
      const phase = run.snapshot().phase
      if (phases.at(-1) !== phase) phases.push(phase)
    })
    await run.start()
    expect(phases).toEqual(['queued', 'booting', 'generating', 'stalled', 'generating', 'done'])
    const { metrics } = run.snapshot()
    expect(metrics.createMs).toBeGreaterThan(0)
    expect(metrics.queueMs).toBeGreaterThan(0)
    expect(metrics.generationMs).toBeGreaterThan(0)
    expect(metrics.stalledMs).toBeGreaterThan(0)
    expect(metrics.stalledSince).toBeNull()
    expect(metrics.processingAt).not.toBeNull()
    // Every duration is a difference of two readings of the same clock, in order.
    expect(metrics.completedAt! - metrics.startedAt!).toBeGreaterThanOrEqual(
      metrics.createMs! + metrics.queueMs! + metrics.generationMs!,
    )
  })

  it('reports tokens per second when the model reports its tokens, and null when it does not', async () => {
    const withTokens = predictionHarness(
      [
        created(),
        sse(sseEvent('output', '1:0', 'a')),
        json(
          prediction({
            status: 'succeeded',
            output: ['a', 'b'],
            metrics: { predict_time: 2, output_token_count: 50 },
          }),
        ),
      ],
      { retry: { maxAttempts: 0 } },
    )
    await withTokens.start()
    expect(withTokens.snapshot().metrics.tokensPerSecond).toBe(25)
    const without = predictionHarness([created(), sse(sseEvent('done', '1:0', '{}'))])
    await without.start()
    expect(without.snapshot().metrics.tokensPerSecond).toBeNull()
    expect(without.snapshot().phase).toBe('done')
  })
})
