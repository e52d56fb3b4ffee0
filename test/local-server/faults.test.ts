/**
 * Every fault of the issue, produced in a few lines and shown on the wire: raw bytes over
 * `node:net` (status line, headers, chunk boundaries, a body cut mid-character) or `fetch`.
 * Nothing here measures time: assertions are on bytes, counts and order.
 */
import { describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/core/errors'
import type { ReplicateServer } from '../../src/testing'
import { ECHO_MODEL } from '../../src/testing/models/served-models'
import {
  AUTH,
  createPrediction,
  LLAMA_3,
  rawGet,
  readStream,
  serverStarter,
  streamEvents,
  untilDone,
  utf8,
  type RawExchange,
} from '../../testkit/local-server'

const start = serverStarter()
const SECOND = 1690212292
/** Fixed clock and seed: every byte of a stream is known in advance. */
const fixed = { seed: 42, now: () => SECOND * 1000 }

/** The complete stream of an echo prediction yielding `outputs`, as the server frames it. */
function expectedStream(outputs: string[]): Buffer {
  const events = outputs.map(
    (item, n) =>
      `event: output\nid: ${SECOND}:${n}\ndata: ${item.split('\n').join('\ndata: ')}\n\n`,
  )
  return utf8(
    `: hi\n\n${events.join('')}event: done\nid: ${SECOND}:${outputs.length}\ndata: {}\n\n`,
  )
}

async function echo(server: ReplicateServer, outputs: string[]) {
  return createPrediction(server.apiUrl, ECHO_MODEL, { prompt: 'x', outputs })
}

function post(server: ReplicateServer, path = `/models/${ECHO_MODEL}/predictions`) {
  return fetch(server.apiUrl + path, {
    method: 'POST',
    headers: AUTH,
    body: JSON.stringify({ input: { prompt: 'hi' } }),
  })
}

const endsWithDone = (e: RawExchange) => e.body.toString().endsWith('data: {}\n\n')

describe('create answered with an HTTP error for the next N requests', () => {
  it.each([
    [
      429,
      { 'retry-after': '1' },
      { detail: 'Request was throttled. Expected available in 1 second.' },
    ],
    [402, {}, { title: 'Insufficient credit', status: 402 }],
    [
      422,
      {},
      {
        title: 'Input validation failed',
        invalid_fields: [{ type: 'required', field: 'input', description: 'prompt is required' }],
      },
    ],
    [500, {}, { title: 'Internal Server Error', status: 500 }],
    [502, {}, { title: 'Bad Gateway', status: 502 }],
    [503, {}, { title: 'Service Unavailable', status: 503 }],
  ])('%i, twice, then 201', async (status, headers, body) => {
    const server = await start({ faults: { create: { status, times: 2 } } })
    for (let i = 0; i < 2; i++) {
      const response = await post(server)
      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      for (const [name, value] of Object.entries(headers))
        expect(response.headers.get(name)).toBe(value)
      expect(await response.json()).toMatchObject(body)
    }
    expect((await post(server)).status).toBe(201)
    expect(server.predictions).toHaveLength(1)
    expect(server.requests.map((r) => r.status)).toEqual([status, status, 201])
  })

  it('applies a sequence of rules to every create endpoint, with a custom Retry-After and body', async () => {
    const server = await start()
    server.faults.set({
      create: [
        { status: 503, times: 1, retryAfterSeconds: 7 },
        {
          status: 429,
          times: 1,
          retryAfterSeconds: 3,
          body: { detail: 'Request was throttled. Your rate limit resets in ~30s.' },
        },
      ],
    })
    const first = await post(server, `/deployments/${LLAMA_3}/predictions`)
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '7'])
    const second = await post(server, '/predictions')
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '3'])
    expect(await second.json()).toEqual({
      detail: 'Request was throttled. Your rate limit resets in ~30s.',
    })
    expect(server.faults.current.create.map((rule) => rule.times)).toEqual([0, 0])
    expect((await post(server)).status).toBe(201)
    // GET and cancel are not create requests: never affected.
    server.faults.set({ create: { status: 500 } })
    const id = server.predictions[0]!.id
    expect((await fetch(`${server.apiUrl}/predictions/${id}`, { headers: AUTH })).status).toBe(200)
    server.faults.clear()
    expect((await post(server)).status).toBe(201)
  })
})

describe('stream faults', () => {
  it('answers the stream URL with an HTTP status', async () => {
    const server = await start({ faults: { stream: { status: 503, times: 1 } } })
    const prediction = await echo(server, ['a'])
    const refused = await rawGet(prediction.urls.stream!)
    expect(refused.statusLine).toBe('HTTP/1.1 503 Service Unavailable')
    expect(refused.headers['content-type']).toBe('application/problem+json')
    expect(JSON.parse(refused.body.toString())).toEqual({
      detail: 'Simulated stream failure',
      status: 503,
    })
    const next = await rawGet(prediction.urls.stream!, {}, endsWithDone)
    expect(next.statusLine).toBe('HTTP/1.1 200 OK')
  })

  it('drops after N events (clean EOF, no done), and Last-Event-ID resumes exactly (E-3)', async () => {
    const server = await start({
      ...fixed,
      faults: { stream: { dropAfter: { events: 2 }, times: 1 } },
    })
    const outputs = ['Once', ' upon', ' a', ' time']
    const prediction = await echo(server, outputs)
    const full = expectedStream(outputs)
    const cut = await rawGet(prediction.urls.stream!)
    const twoEvents = full.indexOf('event: output', full.indexOf('data:  upon')) // start of event 3
    expect(cut.body.equals(full.subarray(0, twoEvents))).toBe(true)
    expect(cut.complete).toBe(true) // a clean end of body: the hard case for clients (#367)
    const resumed = await rawGet(
      prediction.urls.stream!,
      { 'Last-Event-ID': `${SECOND}:1` },
      endsWithDone,
    )
    expect(resumed.body.equals(Buffer.concat([utf8(': hi\n\n'), full.subarray(twoEvents)]))).toBe(
      true,
    )
    expect(server.requests.map((r) => r.headers['last-event-id'])).toEqual([
      undefined,
      undefined,
      `${SECOND}:1`,
    ])
  })

  it('drops with a TCP reset: no chunked terminator, and fetch reports a network error', async () => {
    const server = await start({
      ...fixed,
      faults: { stream: { dropAfter: { events: 1 }, dropMode: 'reset' } },
    })
    const prediction = await echo(server, ['a', 'b'])
    const raw = await rawGet(prediction.urls.stream!)
    expect(raw.statusLine).toBe('HTTP/1.1 200 OK')
    expect(raw.complete).toBe(false)
    expect(raw.body.toString()).toBe(`: hi\n\nevent: output\nid: ${SECOND}:0\ndata: a\n\n`)
    const response = await fetch(prediction.urls.stream!)
    await expect(response.text()).rejects.toThrow(TypeError)
  })

  it('drops after N bytes, inside an event and inside a multi-byte UTF-8 character', async () => {
    const outputs = ['café', ' 😀']
    const full = expectedStream(outputs)
    const insideE = full.indexOf(utf8('é')) + 1 // after the first of é's two bytes
    const secondEvent = full.indexOf('event: output', full.indexOf('café'))
    const insideEmoji = full.indexOf(utf8('😀')) + 2 - secondEvent // 2 of 😀's 4 bytes, in event 2

    const server = await start({
      ...fixed,
      faults: {
        stream: [
          { dropAfter: { bytes: insideE }, times: 1 },
          { dropAfter: { events: 1, bytes: insideEmoji }, times: 1 },
        ],
      },
    })
    const prediction = await echo(server, outputs)
    const first = await rawGet(prediction.urls.stream!)
    expect(first.body.equals(full.subarray(0, insideE))).toBe(true)
    expect(first.body.at(-1)).toBe(0xc3) // a lead byte whose continuation never comes
    const second = await rawGet(prediction.urls.stream!)
    expect(second.body.equals(full.subarray(0, secondEvent + insideEmoji))).toBe(true)
    expect([...second.body.subarray(-2)]).toEqual([0xf0, 0x9f])
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(second.body)).toThrow(TypeError)
  })

  it('delays the first byte: nothing, not even the status line, until the delay is over', async () => {
    const server = await start({ faults: { stream: { firstByteDelayMs: 60_000, times: 1 } } })
    const prediction = await echo(server, ['a', 'b'])
    let held: RawExchange | undefined
    const holding = rawGet(prediction.urls.stream!, {}, (e) => {
      held = e
      return false
    })
    await expect.poll(() => server.openStreams).toBe(1)
    // The prediction finishes and a second connection is served completely meanwhile.
    await expect.poll(() => server.predictions[0]!.status).toBe('succeeded')
    expect(await streamEvents(prediction.urls.stream!)).toHaveLength(3)
    expect(held).toBeUndefined()
    await server.close()
    await holding

    const short = await start({ faults: { stream: { firstByteDelayMs: 20 } } })
    const later = await echo(short, ['a'])
    const delayed = await rawGet(later.urls.stream!, {}, endsWithDone)
    expect(delayed.statusLine).toBe('HTTP/1.1 200 OK')
    expect(delayed.body.toString()).toMatch(/^: hi\n\nevent: output\n/)
  })

  it('stalls: stops writing without closing, and without the idle 408', async () => {
    const server = await start({
      ...fixed,
      idleTimeoutMs: 30,
      faults: { stream: { stallAfter: { events: 2 }, times: 1 } },
    })
    const outputs = ['a', 'b', 'c']
    const prediction = await echo(server, outputs)
    await expect.poll(() => server.predictions[0]!.status).toBe('succeeded')
    let stalled: RawExchange | undefined
    const stalling = rawGet(prediction.urls.stream!, {}, (e) => {
      stalled = e
      return false
    })
    const twoEvents = expectedStream(outputs).subarray(
      0,
      expectedStream(outputs).indexOf('event: output\nid: 1690212292:2'),
    )
    await expect.poll(() => stalled?.body.equals(twoEvents)).toBe(true)
    // A normal connection opened after it is served to done and then times out with :408;
    // the stalled one, written to earlier, would have timed out first if it had a timer.
    const normal = await rawGet(prediction.urls.stream!)
    expect(normal.body.toString()).toMatch(/data: \{\}\n\n:408: 408 Request Timeout\n\n$/)
    expect(stalled!.body.equals(twoEvents)).toBe(true)
    await expect.poll(() => server.openStreams).toBe(1)
    await server.close()
    expect((await stalling).body.equals(twoEvents)).toBe(true)
  })

  it('splits writes at seeded byte offsets, inside UTF-8 characters, without changing the bytes', async () => {
    const outputs = ['café', ' 😀', ' naïve']
    const chunksWith = async (seed: number) => {
      const server = await start({
        seed,
        now: fixed.now,
        faults: { stream: { splitWrites: { minBytes: 1, maxBytes: 3 } } },
      })
      const prediction = await echo(server, outputs)
      return (await rawGet(prediction.urls.stream!, {}, endsWithDone)).chunks
    }
    const chunks = await chunksWith(1)
    expect(Buffer.concat(chunks).equals(expectedStream(outputs))).toBe(true)
    expect(chunks.every((chunk) => chunk.length >= 1 && chunk.length <= 3)).toBe(true)
    // Some write starts with a UTF-8 continuation byte: a character split across two writes.
    expect(chunks.some((chunk) => chunk[0]! >= 0x80 && chunk[0]! <= 0xbf)).toBe(true)
    const again = await chunksWith(1)
    expect(again.map((c) => c.length)).toEqual(chunks.map((c) => c.length))
    const other = await chunksWith(2)
    expect(other.map((c) => c.length)).not.toEqual(chunks.map((c) => c.length))
  })

  it('resends events before Last-Event-ID on resume (duplicates to drop by id)', async () => {
    const server = await start({ ...fixed, faults: { stream: { resumeOverlap: 1 } } })
    const prediction = await echo(server, ['a', 'b', 'c'])
    const events = await streamEvents(prediction.urls.stream!, { 'Last-Event-ID': `${SECOND}:1` })
    expect(events.map((e) => [e.id, e.data])).toEqual([
      [`${SECOND}:1`, 'b'],
      [`${SECOND}:2`, 'c'],
      [`${SECOND}:3`, '{}'],
    ])
  })
})

describe('prediction faults', () => {
  it('fails after N outputs: error then done on the wire, failed in GET', async () => {
    const server = await start(fixed)
    server.faults.set({ fail: { afterOutputs: 1, detail: 'CUDA out of memory', times: 1 } })
    const failing = await echo(server, ['a', 'b'])
    const fine = await echo(server, ['a', 'b'])
    expect((await readStream(failing.urls.stream!, untilDone)).text).toBe(
      `: hi\n\nevent: output\nid: ${SECOND}:0\ndata: a\n\nevent: error\nid: ${SECOND}:1\ndata: {"detail": "CUDA out of memory"}\n\nevent: done\nid: ${SECOND}:2\ndata: {"reason": "error"}\n\n`,
    )
    expect((await readStream(fine.urls.stream!, untilDone)).text).toBe(
      expectedStream(['a', 'b']).toString(),
    )
    expect(server.predictions.map((p) => [p.status, p.error])).toEqual([
      ['failed', 'CUDA out of memory'],
      ['succeeded', null],
    ])
  })

  it('cancels from the server side, after N outputs or on demand', async () => {
    const server = await start({ ...fixed, faults: { cancel: { afterOutputs: 2 } } })
    const auto = await echo(server, ['a', 'b', 'c'])
    expect((await readStream(auto.urls.stream!, untilDone)).text).toBe(
      `: hi\n\nevent: output\nid: ${SECOND}:0\ndata: a\n\nevent: output\nid: ${SECOND}:1\ndata: b\n\nevent: done\nid: ${SECOND}:2\ndata: {"reason": "canceled"}\n\n`,
    )
    server.faults.clear()
    const slow = await start({ cadence: { firstOutputDelayMs: 60_000, outputIntervalMs: 0 } })
    const onDemand = await echo(slow, ['a'])
    expect(slow.cancel(onDemand.id)).toMatchObject({ status: 'canceled', output: null })
    expect((await streamEvents(onDemand.urls.stream!)).map((e) => [e.event, e.data])).toEqual([
      ['done', '{"reason": "canceled"}'],
    ])
    expect(slow.cancel('nope')).toBeUndefined()
  })

  it('bursty cadence: a whole burst arrives, then nothing until the next one', async () => {
    const server = await start({
      cadence: { burstSize: { min: 3, max: 3 }, burstIntervalMs: 60_000 },
    })
    const prediction = await echo(server, ['a', 'b', 'c', 'd', 'e'])
    await expect.poll(() => server.predictions[0]!.output).toEqual(['a', 'b', 'c'])
    const { text } = await readStream(
      prediction.urls.stream!,
      (t) => (t.match(/event: output/g) ?? []).length >= 3,
    )
    expect(text.match(/event: output/g)).toHaveLength(3)
    expect(server.predictions[0]!.output).toEqual(['a', 'b', 'c'])
  })

  it('faults.cadence changes the cadence of new predictions only', async () => {
    const server = await start({ cadence: 'instant' })
    server.faults.set({ cadence: { firstOutputDelayMs: 60_000, outputIntervalMs: 0 } })
    await echo(server, ['a'])
    server.faults.clear()
    await echo(server, ['a'])
    await expect.poll(() => server.predictions[1]!.status).toBe('succeeded')
    expect(server.predictions[0]!.status).toBe('starting')
  })
})

describe('fault set validation and determinism', () => {
  it.each([
    [{ create: { status: 200 } }, /faults\.create\[0\]\.status must be an HTTP error status/],
    [{ create: { status: 429, times: 0 } }, /faults\.create\[0\]\.times must be an integer ≥ 1/],
    [{ stream: { dropAfter: { bytes: -1 } } }, /faults\.stream\[0\]\.dropAfter\.bytes/],
    [{ stream: { dropMode: 'close' } }, /dropMode must be 'eof' or 'reset'/],
    [{ stream: { splitWrites: { minBytes: 4, maxBytes: 2 } } }, /splitWrites needs integers/],
    [{ fail: { afterOutputs: -1 } }, /faults\.fail\.afterOutputs/],
    [{ cadence: { tokensPerSecond: 0 } }, /tokensPerSecond must be a number > 0/],
  ])('rejects %j with InvalidOptionsError', async (faults, message) => {
    await expect(start({ faults: faults as never })).rejects.toThrow(InvalidOptionsError)
    await expect(start({ faults: faults as never })).rejects.toThrow(message)
    const server = await start()
    expect(() => server.faults.set(faults as never)).toThrow(message)
  })

  it('the same seed and clock give the same ids, tokens and bytes', async () => {
    const run = async () => {
      const server = await start({
        ...fixed,
        faults: { stream: { splitWrites: { minBytes: 2, maxBytes: 9 } } },
      })
      const prediction = await echo(server, ['one', ' two'])
      const { chunks } = await rawGet(prediction.urls.stream!, {}, endsWithDone)
      return { id: prediction.id, stream: new URL(prediction.urls.stream!).pathname, chunks }
    }
    const [a, b] = [await run(), await run()]
    expect(b).toEqual(a)
    const unseeded = await start()
    expect(typeof unseeded.seed).toBe('number')
  })
})
