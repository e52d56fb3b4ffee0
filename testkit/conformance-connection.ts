/**
 * Connection vectors C1–C15 and C18 of docs/sse-transport.md §8.2, run with and without
 * a DOM (test/stream/conformance-connection.test.ts and conformance-visibility.dom.test.ts): the
 * connection must not depend on whether a DOM is there.
 *
 * Status, MIME type, 204, abort and request headers are properties of one connection, so they are
 * asserted on `openEventStream`; reconnection (C4–C7 "no reconnect"/backoff, C9–C13) only exists
 * in `PredictionStream`, which is fed the endpoint and the stream by the scripted fetch. Delays
 * are asserted as requested from injected timers, never measured on the wall clock.
 * C16/C17 (tab visibility) are in test/stream/conformance-visibility.dom.test.ts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionError } from '../src/core/errors'
import { openEventStream } from '../src/core/sse'
import {
  created,
  decodeHeader,
  json,
  prediction,
  predictionHarness,
  recordingFetch,
  sse,
  sseEvent,
  STREAM_URL,
  type Step,
} from './conformance-prediction'

/** Opens one connection on the scripted step and reports what it delivered. */
async function open(step: Step, lastEventId: string | null = null) {
  const { fetch, requests } = recordingFetch([step])
  const events: string[] = []
  let opened = 0
  const outcome = await openEventStream({
    url: STREAM_URL,
    fetch,
    lastEventId,
    signal: new AbortController().signal,
    onOpen: () => void (opened += 1),
    onEvent: (event) => void events.push(event.data),
  }).then(
    () => 'ended' as const,
    (error: unknown) => error,
  )
  return { events, opened, outcome, requests }
}

/** The first backoff ceiling by default (retry.ts); jitter stays under it. */
const BASE_DELAY_MS = 500

/**
 * "Reconnect after ≈`floorMs`": never sooner than the server asked, and no later than the floor
 * plus the first backoff's jitter (the spec allows backoff on top of the reconnection time).
 */
function expectAbout(delay: number | undefined, floorMs: number): void {
  expect(delay).toBeGreaterThanOrEqual(floorMs)
  expect(delay).toBeLessThanOrEqual(floorMs + BASE_DELAY_MS)
}

/** A prediction that finished while we were cut off: what the reconcile `GET` finds. */
const finished = json(prediction({ status: 'succeeded', output: ['x'] }))
const done = sseEvent('done', undefined, '{}')

export function connectionConformanceSuite(): void {
  describe('§8.2 connection vectors: one connection (openEventStream)', () => {
    it('C1: 200 text/event-stream opens and delivers events', async () => {
      const { outcome, opened, events } = await open(sse('data: hello\n\n'))
      expect(outcome).toBe('ended')
      expect(opened).toBe(1)
      expect(events).toEqual(['hello'])
    })

    for (const type of [
      'text/event-stream;charset=utf-8',
      'text/event-stream;',
      'Text/Event-Stream',
      'TEXT/EVENT-STREAM; charset=UTF-8',
    ]) {
      it(`C2/C3: opens on Content-Type "${type}" (MIME parameters and case ignored)`, async () => {
        const { outcome, opened, events } = await open({
          headers: { 'Content-Type': type },
          chunks: ['data: x\n\n'],
        })
        expect(outcome).toBe('ended')
        expect(opened).toBe(1)
        expect(events).toEqual(['x'])
      })
    }

    const fatal: [string, Step, number][] = [
      ['C4 text/x-bogus', { headers: { 'Content-Type': 'text/x-bogus' } }, 200],
      ['C4 "x bogus"', { headers: { 'Content-Type': 'x bogus' } }, 200],
      ['C4 no Content-Type', { headers: {} }, 200],
      ['C5 204', { status: 204 }, 204],
      ...[404, 410, 401, 403].map((status): [string, Step, number] => [
        `C6 ${status} JSON`,
        { status, headers: { 'Content-Type': 'application/json' } },
        status,
      ]),
    ]
    for (const [name, step, status] of fatal) {
      it(`${name}: fails the connection, final (not retryable), no event`, async () => {
        const { outcome, opened, events } = await open({ ...step, chunks: ['data: x\n\n'] })
        expect(outcome).toBeInstanceOf(ConnectionError)
        expect((outcome as ConnectionError).retryable).toBe(false)
        expect((outcome as ConnectionError).status).toBe(status)
        expect(opened).toBe(0)
        expect(events).toEqual([])
      })
    }

    for (const [status, retryAfter, ms] of [
      [503, '2', 2000],
      [429, '1', 1000],
      [503, undefined, undefined],
    ] as const) {
      it(`C7: ${status}${retryAfter ? ` with Retry-After: ${retryAfter}` : ''} is retryable`, async () => {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' }
        if (retryAfter) headers['Retry-After'] = retryAfter
        const { outcome, opened } = await open({ status, headers, chunks: ['{}'] })
        expect(outcome).toBeInstanceOf(ConnectionError)
        expect((outcome as ConnectionError).retryable).toBe(true)
        expect((outcome as ConnectionError).status).toBe(status)
        expect((outcome as ConnectionError).retryAfterMs).toBe(ms)
        expect(opened).toBe(0)
      })
    }

    it('C7: a 503 labelled text/event-stream is not streamed as events', async () => {
      const { outcome, events, opened } = await open({
        status: 503,
        chunks: ['event: output\ndata: from an error page\n\n'],
      })
      expect((outcome as ConnectionError).retryable).toBe(true)
      expect(events).toEqual([])
      expect(opened).toBe(0)
    })

    it('C11: a last event ID containing NUL is not sent', async () => {
      for (const id of ['\0\0', 'x\0', '\0x', 'x\0x', ' \0']) {
        const { requests } = await open(sse(), id)
        expect(requests[0]?.lastEventId).toBeNull()
      }
    })

    it('C14: an aborted signal makes no request', async () => {
      const { fetch, requests } = recordingFetch([sse('data: x\n\n')])
      const controller = new AbortController()
      controller.abort()
      const events: string[] = []
      await openEventStream({
        url: STREAM_URL,
        fetch,
        lastEventId: null,
        signal: controller.signal,
        onOpen: () => {},
        onEvent: (event) => void events.push(event.data),
      })
      expect(requests).toHaveLength(0)
      expect(events).toEqual([])
    })

    it('C15: abort mid-stream: no callback after it, and the real request is aborted', async () => {
      const { fetch, requests } = recordingFetch([
        { chunks: ['data: first\n\n', 'data: second\n\n'], holdOpen: true },
      ])
      const controller = new AbortController()
      const events: string[] = []
      let opened = 0
      const settled = openEventStream({
        url: STREAM_URL,
        fetch,
        lastEventId: null,
        signal: controller.signal,
        onOpen: () => void (opened += 1),
        onEvent: (event) => {
          events.push(event.data)
          controller.abort()
        },
      }).then(
        () => 'resolved',
        () => 'rejected',
      )
      // Either way is fine; it must settle (an abort mid-request rejects, one before resolves).
      expect(['resolved', 'rejected']).toContain(await settled)
      expect(events).toEqual(['first'])
      expect(opened).toBe(1)
      expect(requests).toHaveLength(1)
      expect(requests[0]?.signal?.aborted).toBe(true)
      expect(requests[0]?.bodyCancelled).toBe(true)
    })

    it('C18: sends Accept: text/event-stream with cache mode no-store, nothing else', async () => {
      const { requests } = await open(sse(': hi\n\n'))
      const init = requests[0]?.init
      const headers = new Headers(init?.headers)
      expect(headers.get('accept')).toBe('text/event-stream')
      // The cache mode makes fetch add `Cache-Control: no-cache` itself (checked on the wire
      // below); setting the header by hand would force a CORS preflight on the stream host.
      expect(init?.cache).toBe('no-store')
      expect([...headers.keys()].sort()).toEqual(['accept'])
      expect(init?.credentials).toBeUndefined()
      expect(init?.method ?? 'GET').toBe('GET')
    })
  })

  describe('§8.2 connection vectors over loopback HTTP (real fetch)', () => {
    let server: Server
    let base = ''
    const seen: { url: string; headers: IncomingHttpHeaders }[] = []

    beforeAll(async () => {
      server = createServer((request, response) => {
        seen.push({ url: request.url ?? '', headers: request.headers })
        const redirect = /^\/redirect\/(\d{3})$/.exec(request.url ?? '')
        if (redirect) {
          response.writeHead(Number(redirect[1]), { Location: '/v1/streams/abc' })
          response.end()
          return
        }
        response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' })
        response.end(': hi\n\nevent: output\nid: 1:0\ndata: hello\n\n')
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    async function openReal(path: string, lastEventId: string | null = null) {
      const events: string[] = []
      const outcome = await openEventStream({
        url: `${base}${path}`,
        fetch: globalThis.fetch.bind(globalThis),
        lastEventId,
        signal: new AbortController().signal,
        onOpen: () => {},
        onEvent: (event) => void events.push(event.data),
      }).then(
        () => 'ended' as const,
        (error: unknown) => error,
      )
      return { events, outcome }
    }

    for (const status of [301, 302, 303, 307]) {
      it(`C8: follows a ${status} redirect to the event stream`, async () => {
        seen.length = 0
        const { events, outcome } = await openReal(`/redirect/${status}`)
        expect(outcome).toBe('ended')
        expect(events).toEqual(['hello'])
        expect(seen.map((request) => request.url)).toEqual([
          `/redirect/${status}`,
          '/v1/streams/abc',
        ])
      })
    }

    it('C18: the request on the wire has Accept, Cache-Control: no-cache and Last-Event-ID', async () => {
      seen.length = 0
      await openReal('/v1/streams/abc', '…')
      const headers = seen[0]?.headers
      expect(headers?.accept).toBe('text/event-stream')
      expect(headers?.['cache-control']).toBe('no-cache')
      // C10 on the wire: the UTF-8 bytes of the id.
      expect(decodeHeader(headers?.['last-event-id'] as string)).toBe('…')
      expect(headers?.authorization).toBeUndefined()
    })
  })

  describe('§8.2 connection vectors: reconnection (PredictionStream)', () => {
    const fatal: [string, Step][] = [
      ['C4 text/x-bogus', { headers: { 'Content-Type': 'text/x-bogus' } }],
      ['C5 204', { status: 204 }],
      ['C6 404', { status: 404, headers: { 'Content-Type': 'application/json' } }],
      ['C6 401', { status: 401, headers: { 'Content-Type': 'application/json' } }],
    ]
    for (const [name, step] of fatal) {
      it(`${name}: no reconnect, no backoff wait`, async () => {
        const run = predictionHarness([created(), { ...step, chunks: ['{}'] }, finished])
        await run.start()
        expect(run.streamRequests()).toHaveLength(1)
        expect(run.delays).toEqual([])
        expect(run.snapshot().connection).toBe('closed')
      })
    }

    for (const [status, retryAfter] of [
      [503, '3'],
      [429, '2'],
    ] as const) {
      it(`C7: ${status} with Retry-After: ${retryAfter} reconnects no sooner than it says`, async () => {
        const run = predictionHarness([
          created(),
          {
            status,
            headers: { 'Content-Type': 'application/json', 'Retry-After': retryAfter },
            chunks: ['{}'],
          },
          sse(sseEvent('output', '1:0', 'hi'), done),
        ])
        await run.start()
        expect(run.routes()).toEqual(['create', 'stream', 'stream'])
        expectAbout(run.delays[0], Number(retryAfter) * 1000)
        expect(run.snapshot().status).toBe('succeeded')
        expect(run.snapshot().text).toBe('hi')
      })
    }

    it('C9: a stream that ends without done reconnects, after a delay, with Last-Event-ID', async () => {
      const run = predictionHarness([
        created(),
        sse(sseEvent('output', '1690212292:0', 'Once')),
        sse(sseEvent('output', '1690212292:1', ' upon'), done),
      ])
      await run.start()
      expect(run.routes()).toEqual(['create', 'stream', 'stream'])
      expect(run.streamRequests().map((request) => request.lastEventId)).toEqual([
        null,
        '1690212292:0',
      ])
      expect(run.delays[0]).toBeGreaterThan(0)
      expect(run.snapshot().text).toBe('Once upon')
      expect(run.snapshot().status).toBe('succeeded')
    })

    it('C10: the reconnect carries Last-Event-ID as the UTF-8 bytes of "…", after retry: 200', async () => {
      const run = predictionHarness([
        created(),
        sse('id: …\nretry: 200\ndata: hello\n\n'),
        sse(done),
      ])
      await run.start()
      const reconnect = run.streamRequests()[1]
      expect(reconnect?.lastEventId).toBe('\u00e2\u0080\u00a6')
      expect(decodeHeader(reconnect?.lastEventId ?? null)).toBe('…')
      expect(run.delays[0]).toBeGreaterThanOrEqual(200)
    })

    it('C11: ids containing NUL are ignored, so the reconnect sends no Last-Event-ID', async () => {
      const run = predictionHarness([
        created(),
        sse(
          'id: \0\0\ndata: a\n\nid: x\0\ndata: b\n\nid: \0x\ndata: c\n\n' +
            'id: x\0x\ndata: d\n\nid:  \0\ndata: e\n\n',
        ),
        sse(done),
      ])
      await run.start()
      expect(run.streamRequests().map((request) => request.lastEventId)).toEqual([null, null])
      expect(run.snapshot().lastEventId ?? '').toBe('')
    })

    it('C12: retry:1000 then an incomplete event: reconnect ≥1000 ms, without Last-Event-ID: test', async () => {
      const run = predictionHarness([
        created(),
        sse('retry:1000\ndata:test1\n\nid:test\ndata:test2\n'),
        sse(done),
      ])
      await run.start()
      expect(run.streamRequests()[1]?.lastEventId).toBeNull()
      expectAbout(run.delays[0], 1000)
    })

    it('C13: retry: 3000 then retry: 1000x: reconnect after ≈3000 ms', async () => {
      const run = predictionHarness([created(), sse('retry: 3000\nretry: 1000x\n'), sse(done)])
      await run.start()
      expect(run.routes()).toEqual(['create', 'stream', 'stream'])
      expectAbout(run.delays[0], 3000)
    })
  })
}
