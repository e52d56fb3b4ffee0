/**
 * The local server's cost per published output is constant: emitting N outputs reads each of the
 * model's items once, instead of copying everything published so far on every output (which made
 * 40k outputs take 9 s), and concurrent predictions share their step timers. Counted, not timed:
 * the items are behind a proxy that counts reads, and `setTimeout` is counted.
 */
import { afterEach, expect, it, vi } from 'vitest'
import { resolveCadence } from '../../src/testing/predictions/cadence'
import { PredictionStore } from '../../src/testing/predictions/prediction-store'

afterEach(() => {
  vi.useRealTimers()
})

/** `count` items behind a proxy that counts every read of an item. */
function countedOutputs(count: number) {
  const items = Array.from({ length: count }, (_, index) => ` t${index}`)
  const reads = { items: 0 }
  const outputs = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.items += 1
      return Reflect.get(target, key, receiver) as unknown
    },
  })
  return { items, outputs, reads }
}

/** A text prediction of `local/echo` that streams `outputs`. */
function createEcho(store: PredictionStore, outputs: readonly string[]) {
  return store.create({
    model: 'local/echo',
    version: 'v',
    kind: 'text',
    outputs,
    source: 'test',
    input: {},
    urls: () => ({ get: 'http://h/g', cancel: 'http://h/c' }),
  })
}

it('emitting N outputs reads each item once, and GET still returns every output', () => {
  vi.useFakeTimers()
  const N = 10_000
  const { items, outputs, reads } = countedOutputs(N)
  const store = new PredictionStore(resolveCadence({ tokensPerSecond: 1000 }))
  const { id } = createEcho(store, outputs)
  vi.advanceTimersByTime(N / 2 - 1)
  // Halfway: GET sees exactly the outputs published so far.
  expect(store.get(id)!.output).toEqual(items.slice(0, N / 2))
  vi.advanceTimersByTime(N)
  const prediction = store.get(id)!
  expect(prediction.status).toBe('succeeded')
  expect(prediction.output).toEqual(items)
  // One read per item published; a copy of the output so far per output would be N²/2 reads.
  expect(reads.items).toBe(N)
  store.close()
})

it('predictions due in the same millisecond share one timer, not one per step', () => {
  vi.useFakeTimers()
  const store = new PredictionStore(resolveCadence({ tokensPerSecond: 50 }))
  const armed = vi.spyOn(globalThis, 'setTimeout')
  const outputs = Array.from({ length: 50 }, (_, index) => ` t${index}`)
  const ids: string[] = []
  // 1,000 predictions created over 20 ms: 50 due in each millisecond of the 20 ms interval.
  for (let index = 0; index < 1000; index++) {
    if (index > 0 && index % 50 === 0) vi.advanceTimersByTime(1)
    ids.push(createEcho(store, outputs).id)
  }
  vi.advanceTimersByTime(2000)
  for (const id of ids) {
    expect(store.get(id)).toMatchObject({ status: 'succeeded', output: outputs })
  }
  // 50,000 steps; one timer per millisecond that has steps due: 20 phases × 50 steps each.
  expect(armed.mock.calls.length).toBeLessThanOrEqual(20 * 50)
  armed.mockRestore()
  store.close()
})
