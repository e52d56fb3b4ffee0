/**
 * Connection vectors C16/C17 of docs/sse-transport.md §8.2, in jsdom: a `visibilitychange` must
 * never open or abort anything (fetch-event-source, which we no longer use, did both and
 * duplicated connections, #95, B11; docs/sse-transport.md §7.2). The rest of §8.2 runs here too,
 * with a DOM present (testkit/conformance-connection.ts).
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Timers } from '../../src/core/index'
import { openEventStream } from '../../src/core/sse'
import { connectionConformanceSuite } from '../../testkit/conformance-connection'
import {
  created,
  predictionHarness,
  STALL_MS,
  sse,
  sseEvent,
  until,
} from '../../testkit/conformance-prediction'

let hidden = false
Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
Object.defineProperty(document, 'visibilityState', {
  configurable: true,
  get: () => (hidden ? 'hidden' : 'visible'),
})

function setHidden(value: boolean): void {
  hidden = value
  document.dispatchEvent(new Event('visibilitychange'))
}

/** Hide and show, slowly and in a rapid burst (the #95 race). */
function toggleVisibility(): void {
  setHidden(true)
  setHidden(false)
  for (let i = 0; i < 5; i += 1) setHidden(i % 2 === 0)
  setHidden(false)
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0))

afterEach(() => {
  hidden = false
})

/** A fetch whose stream bodies the test writes to; every request is kept. */
function pushFetch() {
  const connections: { signal: AbortSignal | undefined; push: (chunk: string) => void }[] = []
  const fetch = async (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let push: (chunk: string) => void = () => {}
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (chunk) => controller.enqueue(new TextEncoder().encode(chunk))
      },
      // A body the client cancelled takes nothing more; that is what the tests check.
      cancel() {
        push = () => {}
      },
    })
    connections.push({ signal: init?.signal ?? undefined, push: (chunk) => push(chunk) })
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } })
  }
  return { fetch: fetch as typeof globalThis.fetch, connections }
}

/** Timers that run only when the test says so; the stall watchdog never runs. */
function manualTimers() {
  const pending = new Map<object, { callback: () => void; ms: number }>()
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      const handle = {}
      if (ms !== STALL_MS) pending.set(handle, { callback, ms })
      return handle
    },
    clearTimeout: (handle) => void pending.delete(handle as object),
  }
  const runAll = () => {
    const due = [...pending.entries()]
    pending.clear()
    for (const [, { callback }] of due) callback()
  }
  return { timers, pending, runAll }
}

it('runs with a DOM', () => {
  expect(typeof window).toBe('object')
  expect(typeof document).toBe('object')
})

/** One stream on a fetch whose connections the test pushes bytes into. */
function openPushedStream() {
  const { fetch, connections } = pushFetch()
  const controller = new AbortController()
  const events: string[] = []
  const settled = openEventStream({
    url: 'http://127.0.0.1:2/v1/streams/abc',
    fetch,
    lastEventId: null,
    signal: controller.signal,
    onOpen: () => {},
    onEvent: (event) => void events.push(event.data),
  })
  return { connections, controller, events, settled }
}

describe('§8.2 C16/C17 tab visibility', () => {
  it('C17: hiding the tab neither aborts the stream nor stops its events; showing it opens nothing', async () => {
    const { connections, controller, events, settled } = openPushedStream()
    await expect.poll(() => connections.length).toBe(1)
    connections[0]?.push('data: before\n\n')
    await expect.poll(() => events).toEqual(['before'])

    setHidden(true)
    await nextTask()
    expect(connections[0]?.signal?.aborted).toBe(false)
    connections[0]?.push('data: while hidden\n\n')
    await expect.poll(() => events).toEqual(['before', 'while hidden'])

    setHidden(false)
    await nextTask()
    expect(connections).toHaveLength(1)
    expect(connections[0]?.signal?.aborted).toBe(false)

    controller.abort()
    await settled
    expect(connections[0]?.signal?.aborted).toBe(true)
  })

  it('C16: hide/show (also in a rapid burst) keeps exactly one live connection, which abort ends', async () => {
    const { connections, controller, events, settled } = openPushedStream()
    await expect.poll(() => connections.length).toBe(1)
    toggleVisibility()
    await nextTask()
    expect(connections).toHaveLength(1)

    controller.abort()
    await settled
    expect(connections.every((connection) => connection.signal?.aborted)).toBe(true)
    // No connection survives the abort to keep calling back (B11).
    for (const connection of connections) connection.push('data: after abort\n\n')
    await nextTask()
    expect(events).toEqual([])
  })

  it('C16: a pending retry plus hide/show makes one reconnect, at once, and disconnect() ends it', async () => {
    const { timers, pending } = manualTimers()
    const run = predictionHarness(
      [created(), sse(sseEvent('output', '1:0', 'Once')), { chunks: [], holdOpen: true }],
      { timers },
    )
    void run.start()
    await until(run.stream, (snapshot) => snapshot.connection === 'reconnecting')
    expect(pending.size).toBe(1)

    // Showing the page ends the backoff at once (a wake-up, page-lifecycle.ts), with no timer
    // run: one reconnect for the whole burst of shows.
    toggleVisibility()
    await until(run.stream, (snapshot) => snapshot.connection === 'open')
    toggleVisibility()
    await nextTask()
    const streams = run.streamRequests()
    expect(streams).toHaveLength(2)
    expect(streams[1]?.lastEventId).toBe('1:0')
    expect(streams[1]?.signal?.aborted).toBe(false)

    run.stream.disconnect()
    await nextTask()
    expect(streams.every((request) => request.signal?.aborted)).toBe(true)
    expect(run.pendingTimers()).toBe(0)
    expect(run.snapshot().connection).toBe('closed')
    expect(run.snapshot().text).toBe('Once')
  })
})

connectionConformanceSuite()
