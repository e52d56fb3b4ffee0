import { describe, expect, it } from 'vitest'
import { AppliedEventIds } from '../../src/core/event-ids'
import { outputListOf } from '../../src/core/snapshot'
import { initialSnapshot, reduce, type Action } from '../../src/core/state'
import { watchPredictionStream } from '../../src/core/watch'
import {
  created,
  predictionHarness,
  sse,
  sseEvent,
  until,
} from '../../testkit/conformance-prediction'

// The O(n²) of copying `output` on every event must not come back silently: these tests count
// copied items and notifications, never time.

const output = (data: string, id?: string): Action => ({
  type: 'event-received',
  event: { event: 'output', id, data },
  at: 0,
})

describe('the cost of following a long stream', () => {
  it('applies 100,000 output events without copying a single item', () => {
    let state = reduce(initialSnapshot, { type: 'start-requested', at: 0 })
    for (let index = 0; index < 100_000; index += 1) {
      state = reduce(state, output(`t${index % 10}`, `1:${index}`))
    }
    const list = outputListOf(state)
    expect(list.length).toBe(100_000)
    expect(list.stats.copiedItems).toBe(0)
    // Reading `output` materialises it once, for that snapshot only.
    expect(state.output).toHaveLength(100_000)
    expect(state.output).toBe(state.output)
    expect(list.stats.copiedItems).toBe(100_000)
    expect(state.text).toHaveLength(200_000)
  })

  it('keeps every snapshot immutable to its readers while the items are shared', () => {
    const started = reduce(initialSnapshot, { type: 'start-requested', at: 0 })
    const one = reduce(started, output('a'))
    const two = reduce(one, output('b'))
    const three = reduce(two, output('c'))
    expect(one.output).toEqual(['a'])
    expect(two.output).toEqual(['a', 'b'])
    expect(three.output).toEqual(['a', 'b', 'c'])
    expect(Object.isFrozen(two.output)).toBe(true)
    // Reducing an older snapshot again forks instead of overwriting what `three` holds.
    const branch = reduce(one, output('x'))
    expect(branch.output).toEqual(['a', 'x'])
    expect(three.output).toEqual(['a', 'b', 'c'])
    // The initial snapshot is never appended to, even when reduced directly.
    expect(reduce(initialSnapshot, output('z')).output).toEqual(['z'])
    expect(initialSnapshot.output).toEqual([])
  })

  it('streams 100,000 events in 1,000 chunks: one notification per chunk, no copy, every onOutput', async () => {
    const chunks: string[] = []
    const expected: string[] = []
    for (let chunk = 0; chunk < 1000; chunk += 1) {
      let body = ''
      for (let index = 0; index < 100; index += 1) {
        const data = ` w${chunk}.${index}`
        expected.push(data)
        body += sseEvent('output', `1700000000:${chunk * 100 + index}`, data)
      }
      chunks.push(body)
    }
    chunks.push(sseEvent('done', '1700000000:100000', '{}'))
    const run = predictionHarness([created(), sse(...chunks)])
    let notifications = 0
    run.stream.subscribe(() => void (notifications += 1))
    let outputs = 0
    watchPredictionStream(run.stream, { onOutput: () => void (outputs += 1) })
    void run.start()
    const done = await until(run.stream, (snapshot) => snapshot.status === 'succeeded')
    expect(outputs).toBe(100_000)
    expect(outputListOf(done).stats.copiedItems).toBe(0)
    // 1,001 chunks of events plus the run's own changes (start, created, open, closed).
    expect(notifications).toBeLessThanOrEqual(1001 + 6)
    expect(done.text).toBe(expected.join(''))
    expect(done.output).toEqual(expected)
  })
})

describe('text items arriving by the chunk', () => {
  const chunk = (...items: string[]): Action => ({
    type: 'events-received',
    events: items.map((data) => ({ event: 'output', id: undefined, data })),
    at: 0,
  })
  const textRun = () =>
    reduce(initialSnapshot, { type: 'start-requested', at: 0, outputKind: 'text' })

  it('keeps 100,000 tokens as one string per chunk until someone reads the items', () => {
    let state = textRun()
    const expected: string[] = []
    for (let index = 0; index < 1_000; index += 1) {
      const items = Array.from({ length: 100 }, (_, item) => ` w${index}.${item}`)
      expected.push(...items)
      state = reduce(state, chunk(...items))
    }
    const { store } = outputListOf(state)
    // No string per token: what the garbage collector would copy for as long as the run lives.
    expect(store.items).toHaveLength(0)
    expect(store.batches).toHaveLength(1_000)
    expect(outputListOf(state).length).toBe(100_000)
    expect(state.text).toBe(expected.join(''))
    // Read once: the items are made, in order, and kept for the next reader.
    expect(state.output).toEqual(expected)
    expect(store.items).toHaveLength(100_000)
    expect(store.batches).toHaveLength(0)
  })

  it('makes items from a batch per item, read now and then, in order', () => {
    let state = textRun()
    const expected: string[] = []
    for (let index = 0; index < 2_000; index += 1) {
      expected.push(`t${index}`)
      state = reduce(state, chunk(`t${index}`))
      // As `onOutput` and `resume` read: a part of the stream at a time.
      if (index % 300 === 0) expect(state.output).toEqual(expected)
    }
    expect(state.output).toEqual(expected)
    expect(outputListOf(state).store.batches).toHaveLength(0)
  })

  it('shows each snapshot its own items through chunks, single items and forks', () => {
    const one = reduce(textRun(), chunk('a', 'b'))
    const two = reduce(one, output('c'))
    const three = reduce(two, chunk('d', '', 'e'))
    expect(one.output).toEqual(['a', 'b'])
    expect(three.output).toEqual(['a', 'b', 'c', 'd', '', 'e'])
    expect(three.text).toBe('abcde')
    // An older snapshot reduced again forks; what the newer ones show does not change.
    const branch = reduce(one, chunk('x'))
    expect(branch.output).toEqual(['a', 'b', 'x'])
    expect(two.output).toEqual(['a', 'b', 'c'])
    expect(three.output).toEqual(['a', 'b', 'c', 'd', '', 'e'])
    // A chunk with nothing to apply is no change at all.
    expect(reduce(three, { type: 'events-received', events: [], at: 0 })).toBe(three)
  })
})

describe('AppliedEventIds', () => {
  it('remembers one id for any number of ordered ones, and still drops a replay', () => {
    const ids = new AppliedEventIds()
    for (let index = 0; index < 100_000; index += 1) ids.add(`1700000000:${index}`)
    expect(ids.remembered).toBe(1)
    expect(ids.has('1700000000:0')).toBe(true)
    expect(ids.has('1700000000:99999')).toBe(true)
    expect(ids.has('1700000000:100000')).toBe(false)
    expect(ids.has('1700000001:0')).toBe(false)
  })

  it('remembers opaque ids one by one; an ordered id below the greatest counts as applied', () => {
    const ids = new AppliedEventIds()
    for (const id of ['b', 'a', '10', '3']) ids.add(id)
    expect(['a', 'b', '10', '3', '2'].map((id) => ids.has(id))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ])
    expect(ids.has('c')).toBe(false)
    expect(ids.has('11')).toBe(false)
    expect(ids.remembered).toBe(3)
  })
})
