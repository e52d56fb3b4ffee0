/**
 * Conformance cases of docs/replicate-protocol.md §5 (C-1…C-39, E-1…E-13), asserting the
 * "Hook" column (text, status, error detail, output items, logs) on `PredictionStream`, fed the
 * endpoint and the stream by the scripted fetch. Parsing details of the same cases also run
 * through `openEventStream` in every chunking (testkit/sse-vectors.ts).
 *
 * Not consumer cases, or only partly, and why:
 * - C-1 "further next() stays done", C-8 "subsequent next() → done": the official client's
 *   async-iterator API; the hook's part (text, status) is asserted.
 * - C-10b: `useFileOutput: false` is an option of the official client's `FileOutput` wrapping;
 *   the hook never wraps outputs, so its result is C-10a's (asserted there).
 * - C-16 "bodies banana, apple, mango": the Go client downloads each file output; the hook only
 *   exposes the items, which is what is asserted.
 * - C-22 "server MUST send `data: {}`", E-2/E-4/E-5 replay from the start, E-6 "server emits
 *   done canceled; GET shows canceled", E-7 "GET error string matches", E-13 "stream yields
 *   nothing/408": the local server's behaviour (test/local-server/conformance.test.ts); here the
 *   server side is scripted and the consumer side asserted.
 * - E-9 "server route honours Retry-After / the official client hammers": the route handler and
 *   the official client (test/route-handler, test/local-server/replicate-client.test.ts); the
 *   hook part (stays `starting`, one prediction) is asserted.
 * - E-12 "`<StreamingText>` not used": a rendering choice of the app, not of the stream.
 */
import { describe, expect, it } from 'vitest'
import {
  ApiError,
  ConnectionError,
  PredictionFailedError,
  type PredictionStreamSnapshot,
} from '../../src/core/index'
import { splitBytes } from '../../testkit/controlled-fetch'
import {
  created,
  FILES_STREAM_URL,
  json,
  prediction,
  predictionHarness,
  sse,
  sseEvent as event,
  STREAM_URL,
  until,
  type Step,
} from '../../testkit/conformance-prediction'

const done = (id?: string, data = '{}') => event('done', id, data)

/** Runs create → the given stream answers (→ GET answers) and returns the harness. */
async function run(streams: Step[], options: Parameters<typeof predictionHarness>[1] = {}) {
  const harness = predictionHarness([created(), ...streams], options)
  await harness.start()
  return harness
}

function expectSucceeded(snapshot: PredictionStreamSnapshot, text: string): void {
  expect(snapshot.status).toBe('succeeded')
  expect(snapshot.text).toBe(text)
  expect(snapshot.error).toBeNull()
  expect(snapshot.connection).toBe('closed')
}

/** Cuts `wire` where each marker's `‖` is, searching each marker after the previous cut. */
function splitAt(wire: string, markers: string[]): string[] {
  const chunks: string[] = []
  let rest = wire
  for (const marker of markers) {
    const at = rest.indexOf(marker.replace('‖', '')) + marker.indexOf('‖')
    chunks.push(rest.slice(0, at))
    rest = rest.slice(at)
  }
  return [...chunks, rest]
}

/** E-1's tokens (a real recorded `output` array, docs/replicate-protocol.md §1.2). */
const HAIKU = ['\n\n', 'Here is', ' a ha', 'iku', ' about', ' llamas', '']
const haikuEvents = HAIKU.map((token, index) => event('output', `1690212292:${index}`, token))

const C4_WIRE =
  'event: output\nid: EVENT_1\ndata: hello,\ndata: this is a new line,\n' +
  'data: and this is a new line too\n\n'
const C4_TEXT = 'hello,\nthis is a new line,\nand this is a new line too'

describe('docs/replicate-protocol.md §5.1: the official JS client test-suite', () => {
  it('C-1: output then done → text "hello world", succeeded', async () => {
    const h = await run([
      sse(
        'event: output\nid: EVENT_1\ndata: hello world\n\nevent: done\nid: EVENT_2\ndata: {}\n\n',
      ),
    ])
    expect(h.routes()).toEqual(['create', 'stream'])
    expectSucceeded(h.snapshot(), 'hello world')
  })

  it('C-2: deltas are concatenated with no separator', async () => {
    const h = await run([
      sse(
        event('output', 'EVENT_1', 'hello world'),
        event('output', 'EVENT_2', 'hello dave'),
        done('EVENT_3'),
      ),
    ])
    expectSucceeded(h.snapshot(), 'hello worldhello dave')
    expect(h.snapshot().output).toEqual(['hello world', 'hello dave'])
  })

  it('C-3: a leading ": hi" comment is ignored', async () => {
    const h = await run([
      sse(': hi\n\n', event('output', 'EVENT_1', 'hello world'), done('EVENT_2')),
    ])
    expectSucceeded(h.snapshot(), 'hello world')
  })

  it('C-4: data lines of one event are joined with \\n', async () => {
    const h = await run([sse(C4_WIRE, done('EVENT_2'))])
    expectSucceeded(h.snapshot(), C4_TEXT)
  })

  it('C-5: C-4 split just before the \\n ending the first two data lines', async () => {
    const h = await run([sse(...splitAt(C4_WIRE, ['hello,‖\n', 'new line,‖\n']), done('EVENT_2'))])
    expectSucceeded(h.snapshot(), C4_TEXT)
  })

  it('C-6: the "complete mess" split (inside a field name, data, "done" and an id)', async () => {
    const wire = `: hi\n\n${C4_WIRE}event: done\nid: EVENT_2\ndata: {}\n\n`
    const chunks = splitAt(wire, ['ev‖ent', 'this ‖is', 'is ‖a new', 'd‖one', 'EVENT‖_2'])
    expect(chunks).toHaveLength(6)
    const h = await run([sse(...chunks)])
    expectSucceeded(h.snapshot(), C4_TEXT)
    expect(h.snapshot().lastEventId).toBe('EVENT_2')
  })

  it('C-7: EOF without done is incomplete, never success: reconnect with Last-Event-ID', async () => {
    const seen: PredictionStreamSnapshot[] = []
    const h = predictionHarness([
      created(),
      sse(event('output', 'EVENT_1', 'hello world')),
      sse(done('EVENT_2')),
    ])
    h.stream.subscribe(() => seen.push(h.snapshot()))
    await h.start()
    const reconnecting = seen.find((snapshot) => snapshot.connection === 'reconnecting')
    expect(reconnecting?.status).not.toBe('succeeded')
    expect(reconnecting?.text).toBe('hello world')
    expect(h.streamRequests().map((request) => request.lastEventId)).toEqual([null, 'EVENT_1'])
    expectSucceeded(h.snapshot(), 'hello world')
  })

  it('C-8: an error event with non-JSON data → failed, error = the raw data, text kept', async () => {
    const h = await run([
      sse(
        event('output', 'EVENT_1', 'hello world'),
        event('error', 'EVENT_2', 'An unexpected error occurred'),
      ),
    ])
    const snapshot = h.snapshot()
    expect(h.routes()).toEqual(['create', 'stream'])
    expect(snapshot.status).toBe('failed')
    expect(snapshot.error).toBeInstanceOf(PredictionFailedError)
    expect((snapshot.error as PredictionFailedError).detail).toBe('An unexpected error occurred')
    expect(snapshot.text).toBe('hello world')
    expect(snapshot.connection).toBe('closed')
  })

  it('C-9: the stream answers 500 {}: backoff, then reconcile by GET; a connection error', async () => {
    const error500: Step = {
      status: 500,
      headers: { 'Content-Type': 'application/json' },
      chunks: ['{}'],
    }
    const notFound = json({ detail: 'Not found', status: 404 }, 404)
    const h = await run([error500, error500, error500, notFound], { retry: { maxAttempts: 2 } })
    expect(h.routes()).toEqual(['create', 'stream', 'stream', 'stream', 'get'])
    expect(h.delays).toHaveLength(2)
    const snapshot = h.snapshot()
    expect(snapshot.error).toBeInstanceOf(ConnectionError)
    expect((snapshot.error as ConnectionError).status).toBe(500)
    expect(snapshot.status).not.toBe('succeeded')
    expect(snapshot.connection).toBe('closed')
  })

  it('C-9: … and when the reconcile finds the prediction finished, its output is the text', async () => {
    const error500: Step = { status: 500, headers: { 'Content-Type': 'application/json' } }
    const finished = json(prediction({ status: 'succeeded', output: ['hello', ' world'] }))
    const h = await run([error500, error500, finished], { retry: { maxAttempts: 1 } })
    expect(h.routes()).toEqual(['create', 'stream', 'stream', 'get'])
    expectSucceeded(h.snapshot(), 'hello world')
  })

  it('C-10a: a file stream (/v1/files/) gives the URLs as output items', async () => {
    const items = [
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'https://delivery.replicate.com/my_file.png',
    ]
    const h = predictionHarness([
      created({ urls: { ...prediction().urls, stream: FILES_STREAM_URL } }),
      sse(event('output', 'EVENT_1', items[0]!), event('output', 'EVENT_2', items[1]!), done()),
    ])
    await h.start()
    expect(h.streamRequests()[0]?.url).toBe(FILES_STREAM_URL)
    expect(h.snapshot().output).toEqual(items)
    expect(h.snapshot().status).toBe('succeeded')
  })
})

describe('docs/replicate-protocol.md §5.2: the official Go client tests', () => {
  it('C-11: fields without spaces', async () => {
    const h = await run([sse('event:output\nid:123abc\ndata:giraffe\n\n', done())])
    expectSucceeded(h.snapshot(), 'giraffe')
    expect(h.snapshot().lastEventId).toBe('123abc')
  })

  it('C-12: only one leading space is removed', async () => {
    const h = await run([sse('event: output\nid: 123abc\ndata:   giraffe\n\n', done())])
    expectSucceeded(h.snapshot(), '  giraffe')
  })

  it('C-13: one 16,000,000-byte data line arrives intact', async () => {
    const token = '0123456789abcdef'.repeat(1_000_000)
    const bytes = new TextEncoder().encode(event('output', '1:0', token))
    const h = await run([sse(...splitBytes(bytes, 65_536), done())])
    const { text } = h.snapshot()
    expect(text.length).toBe(16_000_000)
    expect(text === token).toBe(true)
    expect(h.snapshot().status).toBe('succeeded')
  })

  it('C-14: three events, ids preserved', async () => {
    const h = await run([
      sse(
        event('output', 'alpha1', 'giraffe'),
        event('output', 'bravo2', 'rhino'),
        event('output', 'gamma3', 'pine marten'),
        done(),
      ),
    ])
    expect(h.snapshot().output).toEqual(['giraffe', 'rhino', 'pine marten'])
    expect(h.snapshot().lastEventId).toBe('gamma3')
  })

  it('C-15: EOF, reconnect with Last-Event-ID: 1, each event once; text "foobar"', async () => {
    // Go's `done` here has no data line, so no SSE parser dispatches it (C-22): the stream then
    // looks unfinished, and the hook ends through the reconcile instead. Its id still becomes the
    // last event ID (WHATWG HTML §9.2.6), so the reconnect asks for what follows id 3, as a
    // browser's EventSource would.
    const dataless = 'event: done\nid: 3\n\n'
    const h = await run(
      [
        sse('event: output\ndata: foo\nid: 1\n\n'),
        sse('event: output\ndata: bar\nid: 2\n\n', dataless),
        sse(dataless),
        json(prediction({ status: 'succeeded', output: ['foo', 'bar'] })),
      ],
      { retry: { maxAttempts: 1 } },
    )
    expect(h.streamRequests().map((request) => request.lastEventId)).toEqual([null, '1', '3'])
    expectSucceeded(h.snapshot(), 'foobar')
    expect(h.snapshot().output).toEqual(['foo', 'bar'])
  })

  it('C-16: a file stream of data: URIs and a URL gives those items, in order', async () => {
    const items = [
      'data:text/plain,banana',
      'data:text/plain;base64,YXBwbGU=',
      'http://127.0.0.1:3/file',
    ]
    const h = predictionHarness([
      created({ urls: { ...prediction().urls, stream: FILES_STREAM_URL } }),
      sse(...items.map((item, index) => event('output', `1:${index}`, item)), done()),
    ])
    await h.start()
    expect(h.snapshot().output).toEqual(items)
  })

  it('C-17: the canary model', async () => {
    const h = await run([
      sse(
        event('output', '1:0', 'hello '),
        event('output', '1:1', 'there, '),
        event('output', '1:2', 'Betty Browser'),
        done('1:3'),
      ),
    ])
    expectSucceeded(h.snapshot(), 'hello there, Betty Browser')
  })
})

describe('docs/replicate-protocol.md §5.3: derived from the protocol', () => {
  it('C-18: empty outputs append nothing but count and advance the last event ID', async () => {
    const h = await run([
      sse('event: output\nid: 1:0\ndata: \n\n', 'event: output\nid: 1:1\ndata\n\n', done()),
    ])
    expectSucceeded(h.snapshot(), '')
    expect(h.snapshot().output).toEqual(['', ''])
    expect(h.snapshot().lastEventId).toBe('1:1')
  })

  it('C-19: tokens are never trimmed', async () => {
    const h = await run([
      sse(
        'event: output\nid: 1:0\ndata:  world\n\nevent: output\nid: 1:1\ndata:no-space\n\n',
        done(),
      ),
    ])
    expectSucceeded(h.snapshot(), ' worldno-space')
  })

  it('C-20: nchan newline framing', async () => {
    const h = await run([
      sse(
        'event: output\nid: 1:0\ndata: hello\ndata: \n\n',
        'event: output\nid: 1:1\ndata: \ndata: \n\n',
        'event: output\nid: 1:2\ndata: \ndata: \ndata: \n\n',
        done(),
      ),
    ])
    expectSucceeded(h.snapshot(), 'hello\n\n\n\n')
    expect(h.snapshot().output).toEqual(['hello\n', '\n', '\n\n'])
  })

  it('C-21: the value is split from the field at the first colon only', async () => {
    const h = await run([sse('event: output\nid: 1:0\ndata: Note: yes: no\n\n', done())])
    expectSucceeded(h.snapshot(), 'Note: yes: no')
  })

  it('C-23: a UTF-8 character split across chunks', async () => {
    const bytes = new TextEncoder().encode('event: output\nid: 1:0\ndata: café 😀\n\n')
    const e = bytes.indexOf(0xc3)
    const emoji = bytes.indexOf(0xf0)
    const h = await run([
      sse(bytes.slice(0, e + 1), bytes.slice(e + 1, emoji + 2), bytes.slice(emoji + 2), done()),
    ])
    expectSucceeded(h.snapshot(), 'café 😀')
  })

  it('C-24: CRLF everywhere', async () => {
    const h = await run([
      sse(
        'event: output\r\nid: 1:0\r\ndata: a\r\ndata: b\r\n\r\n',
        'event: done\r\nid: 1:1\r\ndata: {}\r\n\r\n',
      ),
    ])
    expectSucceeded(h.snapshot(), 'a\nb')
  })

  it('C-25: CR-only line endings', async () => {
    const h = await run([
      sse('event: output\rid: 1:0\rdata: a\r\revent: done\rid: 1:1\rdata: {}\r\r'),
    ])
    expectSucceeded(h.snapshot(), 'a')
  })

  it('C-26: one byte per chunk', async () => {
    const wire = `event: output\nid: 1:0\ndata: ab\ndata: cd\n\n${done('1:1')}`
    const h = await run([sse(...splitBytes(wire, 1))])
    expectSucceeded(h.snapshot(), 'ab\ncd')
  })

  it('C-27: done {"reason": "canceled"} → canceled, text kept', async () => {
    const h = await run([
      sse(event('output', '1:0', 'Once'), done('1:1', '{"reason": "canceled"}')),
    ])
    expect(h.snapshot().status).toBe('canceled')
    expect(h.snapshot().text).toBe('Once')
    expect(h.snapshot().error).toBeNull()
    expect(h.snapshot().connection).toBe('closed')
  })

  for (const trailingDone of [true, false]) {
    it(`C-28: error {"detail"} ${trailingDone ? 'then done {"reason": "error"}' : 'without the trailing done'} → failed with the detail`, async () => {
      const h = await run([
        sse(
          event('output', '1:0', 'Once'),
          event('error', '1:1', '{"detail": "Something went wrong"}'),
          trailingDone ? done('1:2', '{"reason": "error"}') : '',
        ),
      ])
      const snapshot = h.snapshot()
      expect(h.routes()).toEqual(['create', 'stream'])
      expect(snapshot.status).toBe('failed')
      expect((snapshot.error as PredictionFailedError).detail).toBe('Something went wrong')
      expect(snapshot.text).toBe('Once')
    })
  }

  it('C-29: logs are kept apart from the text', async () => {
    const h = await run([
      sse(event('logs', '1:0', 'Loading weights'), event('output', '1:1', 'hi'), done('1:2')),
    ])
    expectSucceeded(h.snapshot(), 'hi')
    expect(h.snapshot().logs).toBe('Loading weights')
  })

  it('C-30: the :408 idle frame then close → reconnect (≤ N times), then reconcile by GET', async () => {
    const timeout = sse(': hi\n\n:408: 408 Request Timeout\n\n')
    const h = await run(
      [timeout, timeout, timeout, json(prediction({ status: 'succeeded', output: ['late'] }))],
      { retry: { maxAttempts: 2 } },
    )
    expect(h.routes()).toEqual(['create', 'stream', 'stream', 'stream', 'get'])
    expect(h.streamRequests().every((request) => request.lastEventId === null)).toBe(true)
    expectSucceeded(h.snapshot(), 'late')
  })

  it('C-31: retry: 1000 before the events is used as the reconnection delay floor', async () => {
    const h = await run([sse('retry: 1000\n\n', event('output', '1:0', 'a')), sse(done('1:1'))])
    expect(h.delays[0]).toBeGreaterThanOrEqual(1000)
    expectSucceeded(h.snapshot(), 'a')
  })

  it('C-32: an unknown event type is ignored', async () => {
    const h = await run([sse('event: ping\ndata: \n\n', event('output', '1:0', 'x'), done('1:1'))])
    expectSucceeded(h.snapshot(), 'x')
    expect(h.snapshot().output).toEqual(['x'])
  })

  it('C-33: an unnamed (message) event is ignored, but its id is the last event ID', async () => {
    const h = await run([sse('id: 1:0\ndata: x\n\n', done())])
    expectSucceeded(h.snapshot(), '')
    expect(h.snapshot().lastEventId).toBe('1:0')
  })

  it('C-34: a lone CR inside a token ends the line (WHATWG): output "a", then done', async () => {
    const h = await run([sse('event: output\nid: 1:0\ndata: a\rb\n\n', done('1:1'))])
    expectSucceeded(h.snapshot(), 'a')
  })

  it('C-35: the last event ID persists over an event without id, and resumes the stream', async () => {
    const h = await run([
      sse(event('output', '7:0', 'x'), 'event: output\ndata: y\n\n'),
      sse(done('7:1')),
    ])
    expect(h.streamRequests().map((request) => request.lastEventId)).toEqual([null, '7:0'])
    expectSucceeded(h.snapshot(), 'xy')
  })

  it('C-36: an event cut before its blank line is dropped and the stream resumed', async () => {
    const h = await run([
      sse(event('output', '1:0', 'x'), 'event: output\nid: 1:1\ndata: y'),
      sse(event('output', '1:1', 'y'), done('1:2')),
    ])
    expect(h.streamRequests()[1]?.lastEventId).toBe('1:0')
    expectSucceeded(h.snapshot(), 'xy')
  })

  it('C-37: a BOM at the stream start is ignored', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf])
    const h = await run([sse(bom, event('output', '1:0', 'x'), done('1:1'))])
    expectSucceeded(h.snapshot(), 'x')
  })

  it('C-38: "event : output" is not an output event', async () => {
    const h = await run([sse('event : output\nid: 1:0\ndata: x\n\n', done('1:1'))])
    expectSucceeded(h.snapshot(), '')
    expect(h.snapshot().output).toEqual([])
  })

  it('C-39: a URL on a text stream (/v1/streams/) is a text token', async () => {
    const h = await run([sse(event('output', '1:0', 'https://example.com'), done('1:1'))])
    expect(h.streamRequests()[0]?.url).toBe(STREAM_URL)
    expectSucceeded(h.snapshot(), 'https://example.com')
    expect(h.snapshot().output).toEqual(['https://example.com'])
  })
})

describe('docs/replicate-protocol.md §5.4: end-to-end scenarios', () => {
  const haikuText = HAIKU.join('')

  it('E-1: tokens then done → the text, succeeded, 7 events, closed by the client on done', async () => {
    const h = await run([{ chunks: [...haikuEvents, done('1690212292:7')], holdOpen: true }])
    expectSucceeded(h.snapshot(), '\n\nHere is a haiku about llamas')
    expect(h.snapshot().output).toHaveLength(7)
    const [stream] = h.streamRequests()
    expect(stream?.signal?.aborted).toBe(true)
  })

  it('E-2: a late subscriber gets the 3 published tokens replayed, no loss, no duplicates', async () => {
    const h = predictionHarness([
      created({ status: 'processing', output: HAIKU.slice(0, 3) }),
      sse(...haikuEvents, done('1690212292:7')),
    ])
    await h.start()
    expectSucceeded(h.snapshot(), haikuText)
    expect(h.snapshot().output).toEqual(HAIKU)
  })

  it('E-3: dropped after token 2, resumed with Last-Event-ID: each id once', async () => {
    const h = await run([
      { chunks: haikuEvents.slice(0, 2), errorAfterChunks: new TypeError('terminated') },
      sse(...haikuEvents.slice(2), done('1690212292:7')),
    ])
    expect(h.streamRequests()[1]?.lastEventId).toBe('1690212292:1')
    expectSucceeded(h.snapshot(), haikuText)
    expect(h.snapshot().output).toEqual(HAIKU)
  })

  it('E-4: a reconnect answered with the full replay is deduplicated by id', async () => {
    const h = await run([
      sse(...haikuEvents.slice(0, 2)),
      sse(...haikuEvents, done('1690212292:7')),
    ])
    expectSucceeded(h.snapshot(), haikuText)
    expect(h.snapshot().output).toEqual(HAIKU)
  })

  it('E-5: a :408 before the first token → reconnect without Last-Event-ID, then succeeded', async () => {
    const h = await run([
      sse(': hi\n\n:408: 408 Request Timeout\n\n'),
      sse(': hi\n\n', ...haikuEvents, done('1690212292:7')),
    ])
    expect(h.streamRequests().map((request) => request.lastEventId)).toEqual([null, null])
    expectSucceeded(h.snapshot(), haikuText)
  })

  it('E-5: attempts exhausted → the reconcile GET gives text = output.join("")', async () => {
    const timeout = sse(': hi\n\n:408: 408 Request Timeout\n\n')
    const h = await run(
      [timeout, timeout, json(prediction({ status: 'succeeded', output: HAIKU }))],
      { retry: { maxAttempts: 1 } },
    )
    expect(h.routes()).toEqual(['create', 'stream', 'stream', 'get'])
    expectSucceeded(h.snapshot(), haikuText)
  })

  it('E-6: cancel() mid-stream closes the stream and cancels through the endpoint', async () => {
    const h = predictionHarness([
      created(),
      { chunks: [event('output', '1:0', 'Once')], holdOpen: true },
      json(prediction({ status: 'canceled', output: ['Once'] })),
    ])
    const started = h.start()
    await until(h.stream, (snapshot) => snapshot.text === 'Once')
    await h.stream.cancel()
    await started
    expect(h.routes()).toEqual(['create', 'stream', 'cancel'])
    expect(h.streamRequests()[0]?.signal?.aborted).toBe(true)
    expect(h.snapshot().status).toBe('canceled')
    expect(h.snapshot().text).toBe('Once')
    expect(h.snapshot().connection).toBe('closed')
  })

  it('E-6: unmount (disconnect) closes the stream but cancels nothing (docs/design.md rule 6)', async () => {
    const h = predictionHarness([
      created(),
      { chunks: [event('output', '1:0', 'Once')], holdOpen: true },
    ])
    const started = h.start()
    await until(h.stream, (snapshot) => snapshot.text === 'Once')
    h.stream.disconnect()
    await started
    expect(h.routes()).toEqual(['create', 'stream'])
    expect(h.streamRequests()[0]?.signal?.aborted).toBe(true)
    expect(h.snapshot().status).toBe('processing')
    expect(h.snapshot().error).toBeNull()
    expect(h.snapshot().connection).toBe('closed')
  })

  it('E-7: the model fails after 1 token → failed, detail from the error event, text kept', async () => {
    const h = await run([
      sse(
        event('output', '1:0', 'Once'),
        event('error', '1:1', '{"detail": "CUDA out of memory"}'),
        done('1:2', '{"reason": "error"}'),
      ),
    ])
    expect(h.snapshot().status).toBe('failed')
    expect((h.snapshot().error as PredictionFailedError).detail).toBe('CUDA out of memory')
    expect(h.snapshot().text).toBe('Once')
  })

  it('E-8: done on a connection the server keeps open → closed by the client at once', async () => {
    const h = await run([{ chunks: [event('output', '1:0', 'hi'), done('1:1')], holdOpen: true }])
    expectSucceeded(h.snapshot(), 'hi')
    expect(h.streamRequests()).toHaveLength(1)
    expect(h.streamRequests()[0]?.signal?.aborted).toBe(true)
  })

  it('E-9: create answered 429 (Retry-After: 1) twice, then 201: stays starting, one prediction', async () => {
    const throttled = json(
      { detail: 'Request was throttled. Expected available in 1 second.', status: 429 },
      429,
      { 'Retry-After': '1' },
    )
    const h = predictionHarness([
      throttled,
      throttled,
      created(),
      sse(event('output', '1:0', 'hi'), done('1:1')),
    ])
    const beforeCreated: PredictionStreamSnapshot[] = []
    h.stream.subscribe(() => {
      if (!h.snapshot().prediction) beforeCreated.push(h.snapshot())
    })
    await h.start()
    expect(h.routes()).toEqual(['create', 'create', 'create', 'stream'])
    expect(h.delays.slice(0, 2).every((delay) => delay >= 1000)).toBe(true)
    expect(beforeCreated.every((snapshot) => snapshot.status === 'starting')).toBe(true)
    expect(beforeCreated.every((snapshot) => snapshot.error === null)).toBe(true)
    expectSucceeded(h.snapshot(), 'hi')
  })

  it('E-10: create answered 422 → failed with the detail and invalid fields, no stream', async () => {
    const problem = {
      detail: '- input: prompt is required\n',
      status: 422,
      title: 'Input validation failed',
      invalid_fields: [{ type: 'required', field: 'input', description: 'prompt is required' }],
    }
    const h = predictionHarness([
      json(problem, 422, { 'Content-Type': 'application/problem+json' }),
    ])
    await h.start()
    expect(h.routes()).toEqual(['create'])
    const error = h.snapshot().error as ApiError
    expect(h.snapshot().status).toBe('failed')
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(422)
    expect(error.detail).toBe('- input: prompt is required\n')
    expect(error.invalidFields).toEqual(problem.invalid_fields)
    expect(h.snapshot().connection).toBe('closed')
  })

  it('E-11: a prediction without urls.stream is followed by polling GET', async () => {
    // `undefined` is dropped by JSON.stringify: the endpoint sends no `stream` key at all.
    const urls = { ...prediction().urls, stream: undefined }
    const h = predictionHarness([
      created({ urls }),
      json(prediction({ urls, status: 'processing', output: ['Here is'] })),
      json(prediction({ urls, status: 'succeeded', output: ['Here is', ' a haiku'] })),
    ])
    await h.start()
    expect(h.routes()).toEqual(['create', 'get', 'get'])
    expectSucceeded(h.snapshot(), 'Here is a haiku')
    expect(h.snapshot().output).toEqual(['Here is', ' a haiku'])
  })

  it('E-12: a file iterator model yields 2 image URLs → items in order', async () => {
    const urls = [
      'https://replicate.delivery/pbxt/a/out-0.png',
      'https://replicate.delivery/pbxt/b/out-1.png',
    ]
    const h = predictionHarness([
      created({ urls: { ...prediction().urls, stream: FILES_STREAM_URL } }),
      sse(event('output', '1:0', urls[0]!), event('output', '1:1', urls[1]!), done('1:2')),
    ])
    await h.start()
    expect(h.snapshot().output).toEqual(urls)
    expect(h.snapshot().status).toBe('succeeded')
  })

  it('E-13: an aborted prediction: the stream only times out; the reconcile GET ends it aborted', async () => {
    const timeout = sse(': hi\n\n:408: 408 Request Timeout\n\n')
    const h = await run(
      [timeout, timeout, json(prediction({ status: 'aborted', output: null, logs: '' }))],
      { retry: { maxAttempts: 1 } },
    )
    expect(h.routes()).toEqual(['create', 'stream', 'stream', 'get'])
    expect(h.snapshot().status).toBe('aborted')
    expect(h.snapshot().text).toBe('')
    expect(h.snapshot().connection).toBe('closed')
  })
})

describe('blocks without data', () => {
  // eventsource-parser 3.1 never reports a block without data; WHATWG dispatches nothing for it
  // either, but the id it carries becomes the last event ID (docs/sse-transport.md §8.1 #16).
  // Our block scanner (src/core/sse-blocks.ts) reports that id; a data-less `done` still ends
  // nothing, because Replicate always sends `data: {}` with done and WHATWG dispatches no event.
  it('C-22: a data-less done moves the last event ID; the stream goes on to the next done', async () => {
    const h = await run([
      sse(event('output', '1:0', 'a'), 'event: done\nid: 1:1\n\n', event('output', '1:2', 'b')),
      sse(event('done', '1:3', '{}')),
    ])
    expect(h.routes()).toEqual(['create', 'stream', 'stream'])
    // The reconnect resumes after the id of the data-less block's successor.
    expect(h.streamRequests()[1]?.lastEventId).toBe('1:2')
    expectSucceeded(h.snapshot(), 'ab')
    expect(h.snapshot().lastEventId).toBe('1:3')
  })
})
