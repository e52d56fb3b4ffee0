/**
 * 200 creates at once through the handler, over HTTP, against the local server: every one gets
 * its own prediction, none is lost or created twice, and every reference leads back to its own.
 */
import { describe, expect, it } from 'vitest'
import { benchStarter, caller, LLAMA_3 } from './harness'

const { start } = benchStarter()

describe('200 concurrent creates', () => {
  it('make 200 predictions, none lost or doubled, each reference bound to its own', async () => {
    const bench = await start({ rateLimit: false, maxConcurrentPredictions: false })
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        caller(bench, `user-${i % 7}`).create({ model: LLAMA_3, input: { prompt: `prompt ${i}` } }),
      ),
    )
    expect(replies.filter((r) => r.status !== 201)).toEqual([])
    expect(bench.errors).toEqual([])
    expect(bench.upstream.predictions).toHaveLength(200)
    expect(bench.upstreamCalls().filter((c) => c.startsWith('POST'))).toHaveLength(200)

    const upstreamIds = new Set(bench.upstream.predictions.map((p) => p.id))
    expect(upstreamIds.size).toBe(200)
    const references = new Set(replies.map((r) => r.json.id))
    expect(references.size).toBe(200)
    // Each prompt was created once: the inputs upstream are exactly the 200 sent.
    expect(bench.upstream.predictions.map((p) => p.input.prompt).sort()).toEqual(
      Array.from({ length: 200 }, (_, i) => `prompt ${i}`).sort(),
    )

    // Every reference reads back its own prediction, for its own caller only.
    const got = await Promise.all(
      replies.map((r, i) => caller(bench, `user-${i % 7}`).get(r.json.id as string)),
    )
    expect(got.map((r) => r.status)).toEqual(replies.map(() => 200))
    const byStream = new Map(bench.upstream.predictions.map((p) => [p.urls.stream, p.input.prompt]))
    expect(got.map((r) => byStream.get((r.json.urls as { stream: string }).stream))).toEqual(
      Array.from({ length: 200 }, (_, i) => `prompt ${i}`),
    )
  })
})
