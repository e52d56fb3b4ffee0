/**
 * Cadences on the prediction store itself, under fake timers: counts of outputs published after
 * each simulated interval (no wall clock), and the seeded burst sizes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidOptionsError } from '../../src/core/errors'
import { resolveCadence, type CadenceOption } from '../../src/testing/predictions/cadence'
import { PredictionStore } from '../../src/testing/predictions/prediction-store'

afterEach(() => {
  vi.useRealTimers()
})

const OUTPUTS = Array.from({ length: 60 }, (_, i) => `t${i}`)

/** Output counts after the first delay and then after each of `steps` intervals of `stepMs`. */
function countsOver(cadence: CadenceOption, seed: number, stepMs: number, steps: number): number[] {
  vi.useFakeTimers()
  const resolved = resolveCadence(cadence)
  const store = new PredictionStore(resolved, () => Date.now(), { seed })
  const { id } = store.create({
    model: 'local/echo',
    version: 'v',
    kind: 'text',
    outputs: OUTPUTS,
    source: 'test',
    input: {},
    urls: () => ({ get: 'http://h/g', cancel: 'http://h/c' }),
  })
  const count = () => (store.get(id)!.output as string[] | null)?.length ?? 0
  const counts: number[] = []
  vi.advanceTimersByTime(resolved.firstOutputDelayMs)
  counts.push(count())
  for (let i = 0; i < steps; i++) {
    vi.advanceTimersByTime(stepMs)
    counts.push(count())
  }
  store.close()
  return counts
}

describe('cadences', () => {
  it('steady: nothing before the first delay, then one per interval', () => {
    expect(countsOver({ firstOutputDelayMs: 500, outputIntervalMs: 40 }, 0, 40, 3)).toEqual([
      1, 2, 3, 4,
    ])
    vi.useFakeTimers()
    const store = new PredictionStore(resolveCadence('realistic'))
    const { id } = store.create({
      model: 'm/m',
      version: 'v',
      kind: 'text',
      outputs: ['a'],
      source: 's',
      input: {},
      urls: () => ({ get: 'http://h/g', cancel: 'http://h/c' }),
    })
    vi.advanceTimersByTime(499)
    expect(store.get(id)!.status).toBe('starting')
    vi.advanceTimersByTime(1)
    expect(store.get(id)!.status).toBe('succeeded')
    store.close()
  })

  it('tokensPerSecond: N outputs per simulated second', () => {
    const counts = countsOver({ tokensPerSecond: 20 }, 0, 1000, 2)
    expect(counts).toEqual([1, 21, 41])
  })

  it('bursty: 1–8 outputs per burst, the same bursts for the same seed', () => {
    const cadence = { burstSize: { min: 1, max: 8 }, burstIntervalMs: 100 }
    const bursts = (seed: number) => {
      const counts = countsOver(cadence, seed, 100, 6)
      return counts.map((n, i) => n - (counts[i - 1] ?? 0))
    }
    const first = bursts(1)
    expect(first.every((size) => size >= 1 && size <= 8)).toBe(true)
    expect(new Set(first).size).toBeGreaterThan(1)
    expect(bursts(1)).toEqual(first)
    expect(bursts(2)).not.toEqual(first)
  })

  it('the named bursty cadence and the CLI forms resolve', () => {
    expect(resolveCadence('bursty')).toEqual({
      firstOutputDelayMs: 500,
      outputIntervalMs: 180,
      burstMin: 1,
      burstMax: 8,
    })
    expect(() => resolveCadence({ burstSize: { min: 0, max: 2 }, burstIntervalMs: 1 })).toThrow(
      InvalidOptionsError,
    )
    expect(() => resolveCadence('slow' as 'fast')).toThrow(
      /one of realistic, fast, instant, bursty/,
    )
  })
})
