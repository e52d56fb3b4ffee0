import { describe, expect, it } from 'vitest'
import { ConnectionError } from '../src/core/errors'
import { openEventStream } from '../src/core/sse'
import { scriptedFetch, splitBytes, type ScriptedResponse } from './controlled-fetch'
import { chunkings, parserVectors } from './sse-vectors'

async function collect(response: ScriptedResponse, lastEventId: string | null = null) {
  const { fetch, requests } = scriptedFetch([response])
  const events: [string | undefined, string, string | undefined][] = []
  // Every id in stream order: an event's own id, or a block's with no data (onLastEventId).
  const ids: { event: boolean; id: string | undefined }[] = []
  const retries: number[] = []
  let opened = 0
  const controller = new AbortController()
  const outcome = await openEventStream({
    url: 'http://127.0.0.1:1/v1/streams/abc',
    fetch,
    lastEventId,
    signal: controller.signal,
    onOpen: () => void (opened += 1),
    onEvent: (event) => {
      events.push([event.event, event.data, event.id])
      ids.push({ event: true, id: event.id })
    },
    onLastEventId: (id) => void ids.push({ event: false, id }),
    onRetry: (ms) => void retries.push(ms),
  }).then(
    () => 'ended' as const,
    (error: unknown) => error,
  )
  return { events, ids, retries, opened, outcome, requests }
}

/**
 * The WHATWG last event ID after each event, and at the end, from the ids `openEventStream`
 * hands over. `eventsource-parser` sets `event.id` only when the event's own block had an `id:`
 * line (`''` for an empty `id:`, which resets), and drops an `id:` containing NUL; a block with an
 * id and no data comes through `onLastEventId`. `PredictionStream` keeps the previous value
 * otherwise (src/core/state.ts). Folding the same way here checks that those ids are enough to
 * reconstruct the spec's value, which is what a reconnect sends as `Last-Event-ID`.
 */
function lastEventIds(ids: { event: boolean; id: string | undefined }[]) {
  let last = ''
  const perEvent: string[] = []
  for (const { event, id } of ids) {
    last = id ?? last
    if (event) perEvent.push(last)
  }
  return { perEvent, final: last }
}

/**
 * The same behaviour must hold with and without a DOM (sse.ts reads the body itself either way;
 * the suite runs in both environments so that nothing comes to depend on one).
 */
export function openEventStreamSuite(): void {
  describe('openEventStream parsing', () => {
    for (const vector of parserVectors) {
      const feeds: { name: string; chunks: (string | Uint8Array)[] }[] = chunkings.map(
        ({ name, size }) => ({ name, chunks: splitBytes(vector.input, size) }),
      )
      if (vector.chunks) feeds.push({ name: 'split as in the table', chunks: vector.chunks })
      for (const feed of feeds) {
        it(`${vector.name} (${feed.name})`, async () => {
          const { events, ids, retries, outcome } = await collect({ chunks: feed.chunks })
          expect(outcome).toBe('ended')
          expect(events.map(([type, data]) => [type, data])).toEqual(
            vector.events.map(([type, data]) => [type, data]),
          )
          expect(lastEventIds(ids).perEvent).toEqual(vector.events.map(([, , id]) => id ?? ''))
          if (vector.lastEventId !== undefined) {
            expect(lastEventIds(ids).final).toBe(vector.lastEventId)
          }
          // Only valid `retry:` fields reach onRetry (digits only, WHATWG §9.2.6).
          if (vector.retry === undefined) expect(retries).toEqual([])
          else expect(retries.at(-1)).toBe(vector.retry)
        })
      }
    }

    it('decodes a UTF-8 character split across chunks (C-23)', async () => {
      const bytes = new TextEncoder().encode('event: output\ndata: café 😀\n\n')
      const e = bytes.indexOf(0xc3)
      const emoji = bytes.indexOf(0xf0)
      const { events } = await collect({
        chunks: [bytes.slice(0, e + 1), bytes.slice(e + 1, emoji + 2), bytes.slice(emoji + 2)],
      })
      expect(events).toEqual([['output', 'café 😀', undefined]])
    })
  })

  describe('openEventStream connection', () => {
    it('sends Accept and no Last-Event-ID on a first connection', async () => {
      const { requests, opened } = await collect({ chunks: [': hi\n\n'] })
      expect(requests).toHaveLength(1)
      expect(requests[0]?.headers.get('accept')).toBe('text/event-stream')
      expect(requests[0]?.headers.has('last-event-id')).toBe(false)
      expect(opened).toBe(1)
    })

    it('sends Last-Event-ID, UTF-8 encoded when not ASCII (WHATWG §9.2.3, C10)', async () => {
      const ascii = await collect({ chunks: [] }, '1690212292:3')
      expect(ascii.requests[0]?.headers.get('last-event-id')).toBe('1690212292:3')
      const unicode = await collect({ chunks: [] }, '…é')
      const sent = unicode.requests[0]?.headers.get('last-event-id') ?? ''
      const bytes = Uint8Array.from(sent, (character) => character.charCodeAt(0))
      expect(new TextDecoder().decode(bytes)).toBe('…é')
    })

    it('accepts the MIME type case-insensitively with parameters (C2, C3)', async () => {
      const { outcome, events } = await collect({
        headers: { 'Content-Type': 'Text/Event-Stream;charset=UTF-8' },
        chunks: ['data: x\n\n'],
      })
      expect(outcome).toBe('ended')
      expect(events).toHaveLength(1)
    })

    const cases: [string, ScriptedResponse, boolean, number | undefined][] = [
      ['204 No Content (C5)', { status: 204 }, false, 204],
      ['404 (C6)', { status: 404, headers: { 'Content-Type': 'application/json' } }, false, 404],
      ['401 (C6)', { status: 401, headers: { 'Content-Type': 'application/json' } }, false, 401],
      ['a wrong content type (C4)', { headers: { 'Content-Type': 'text/html' } }, false, 200],
      ['500 (C7)', { status: 500, headers: { 'Content-Type': 'application/json' } }, true, 500],
      ['408', { status: 408, headers: { 'Content-Type': 'text/plain' } }, true, 408],
    ]
    for (const [name, response, retryable, status] of cases) {
      it(`classifies ${name} as ${retryable ? 'retryable' : 'final'}, without reading events`, async () => {
        const { outcome, events, opened } = await collect({ ...response, chunks: ['data: x\n\n'] })
        expect(outcome).toBeInstanceOf(ConnectionError)
        expect((outcome as ConnectionError).retryable).toBe(retryable)
        expect((outcome as ConnectionError).status).toBe(status)
        expect(events).toEqual([])
        expect(opened).toBe(0)
      })
    }

    it('honours Retry-After on 429 (C7)', async () => {
      const { outcome } = await collect({
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '2' },
      })
      expect((outcome as ConnectionError).retryable).toBe(true)
      expect((outcome as ConnectionError).retryAfterMs).toBe(2000)
    })

    it('reports a body that breaks off as retryable, after the events before the break', async () => {
      const { outcome, events } = await collect({
        chunks: ['event: output\nid: 1:0\ndata: a\n\nevent: output\nid: 1:1\nda'],
        errorAfterChunks: new TypeError('terminated'),
      })
      expect(events).toEqual([['output', 'a', '1:0']])
      expect(outcome).toBeInstanceOf(ConnectionError)
      expect((outcome as ConnectionError).retryable).toBe(true)
    })

    it('makes no request when the signal is already aborted (C14)', async () => {
      const { fetch, requests } = scriptedFetch([{ chunks: ['data: x\n\n'] }])
      const controller = new AbortController()
      controller.abort()
      await openEventStream({
        url: 'http://127.0.0.1:1/s',
        fetch,
        lastEventId: null,
        signal: controller.signal,
        onOpen: () => {},
        onEvent: () => {},
      })
      expect(requests).toHaveLength(0)
    })

    it('delivers no event after an abort mid-stream (C15)', async () => {
      const controller = new AbortController()
      const events: string[] = []
      let push: ((chunk: string) => void) | undefined
      const body = new ReadableStream<Uint8Array>({
        start(stream) {
          push = (chunk) => stream.enqueue(new TextEncoder().encode(chunk))
        },
      })
      const fetch = (async () =>
        new Response(body, {
          headers: { 'Content-Type': 'text/event-stream' },
        })) as typeof globalThis.fetch
      const done = openEventStream({
        url: 'http://127.0.0.1:1/s',
        fetch,
        lastEventId: null,
        signal: controller.signal,
        onOpen: () => push?.('data: first\n\n'),
        onEvent: (event) => {
          events.push(event.data)
          controller.abort()
          push?.('data: second\n\n')
        },
      })
      // Abort settles the call (the body read rejects).
      await expect(
        done.then(
          () => 'settled',
          () => 'settled',
        ),
      ).resolves.toBe('settled')
      expect(events).toEqual(['first'])
    })
  })
}
