/**
 * Differential tests: Chromium's native `EventSource` and our `openEventStream` read the same
 * bytes from the same kind of URL, and must agree on every event (type, data, last event ID) and
 * on the last event ID a reconnect sends (WHATWG HTML §9.2.6, §9.2.3).
 *
 * The bytes are the parser vectors (testkit/sse-vectors.ts, in each of their chunkings and in one
 * chunk per event block) and 200
 * seeded random streams (testkit/random-event-stream.ts), served by the fixture route
 * (testkit/sse-fixture-route.ts), which cuts them into the given chunks, answers the reconnect
 * with 204 and records its `Last-Event-ID`. `EventSource` reconnects by itself after its
 * reconnection time and stops at the 204; for `openEventStream`, the test reconnects once with
 * the last event ID folded from what it reported (event ids and `onLastEventId`, in order), as
 * `PredictionStream` does, so both reconnect headers arrive at the same server.
 *
 * Every stream runs at once: most of a stream's time is `EventSource`'s reconnection time (3 s
 * by default in Chromium, up to the 5 s of the `retry: 5000` vector), and the rest is requests,
 * so the streams are stored in one request and the reconnect headers fetched in another. Every
 * wait is on a condition (the `error` event and `readyState`, the end of a read), with a bound.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ConnectionError } from '../../src/core/errors'
import { openEventStream } from '../../src/core/sse'
import { blockEnds, randomEventStream } from '../../testkit/random-event-stream'
import {
  SSE_FIXTURE_PATH,
  type FixtureBody,
  type ReconnectRecords,
} from '../../testkit/sse-fixture-route'
import { chunkings, parserVectors } from '../../testkit/sse-vectors'

/** How long a stream may take to end and reconnect, far above the largest `retry:` (5 s). */
const READ_TIMEOUT_MS = 20_000
const RANDOM_STREAMS = 200

type ReadEvent = [type: string, data: string, lastEventId: string]

interface OurReading {
  events: ReadEvent[]
  /** The last event ID folded from `openEventStream`'s reports. */
  lastEventId: string
  /** How our reconnect ended: the 204 must fail it. */
  reconnect: unknown
}

/** One run's outcome: both readings, and the `Last-Event-ID` of each reconnect of each. */
interface Outcome {
  native: ReadEvent[]
  ours: OurReading
  /** As the server received them, `null` where absent. */
  reconnects: { native: (string | null)[]; ours: (string | null)[] }
}

interface Run {
  name: string
  bytes: Uint8Array
  cuts: number[]
}

const fixtureUrl = (path = '') => new URL(`${SSE_FIXTURE_PATH}${path}`, location.href).href

/** Stores every run's bytes under its key, in one request. */
async function putFixtures(keys: Map<Run, string>): Promise<void> {
  const streams: Record<string, FixtureBody> = {}
  for (const [run, key] of keys) streams[key] = { bytes: [...run.bytes], cuts: run.cuts }
  const response = await fetch(fixtureUrl(), { method: 'PUT', body: JSON.stringify(streams) })
  if (response.status !== 204)
    throw new Error(`PUT ${SSE_FIXTURE_PATH} answered ${response.status}`)
}

async function reconnectRecords(): Promise<ReconnectRecords> {
  return (await (await fetch(fixtureUrl())).json()) as ReconnectRecords
}

/** Every event type the stream names (`event:` lines), and `message`, to listen for. */
function eventTypes(bytes: Uint8Array): string[] {
  const types = new Set(['message'])
  for (const line of new TextDecoder().decode(bytes).split(/\r\n|\r|\n/)) {
    if (line !== 'event' && !line.startsWith('event:')) continue
    const type = line.slice(line.startsWith('event: ') ? 7 : 6)
    if (type) types.add(type)
  }
  return [...types]
}

/** Rejects after `ms` unless `promise` settles first: a bound on a wait, never a pause. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)
  })
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer))
}

/** Chromium's `EventSource`: its events, until the reconnect's 204 has closed it. */
async function readNatively(key: string, bytes: Uint8Array): Promise<ReadEvent[]> {
  const source = new EventSource(fixtureUrl(`/${key}/native`))
  const events: ReadEvent[] = []
  const record = (event: Event) => {
    // A stream's own `event: error` is a MessageEvent; the connection's errors are plain events.
    if (event instanceof MessageEvent) {
      events.push([event.type, event.data as string, event.lastEventId])
    }
  }
  for (const type of eventTypes(bytes)) source.addEventListener(type, record)
  try {
    await within(
      new Promise<void>((resolve) => {
        source.addEventListener('error', (event) => {
          if (!(event instanceof MessageEvent) && source.readyState === EventSource.CLOSED) {
            resolve()
          }
        })
      }),
      READ_TIMEOUT_MS,
      `EventSource ${key}`,
    )
  } finally {
    source.close()
  }
  return events
}

/** A `fetch` that hands the body on cut at exactly `cuts`, whatever the socket delivered. */
function cutAt(cuts: number[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    if (!response.body || response.status !== 200) return response
    const pending = [...cuts]
    let held = new Uint8Array(0)
    let offset = 0
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const joined = new Uint8Array(held.length + chunk.length)
          joined.set(held)
          joined.set(chunk, held.length)
          held = joined
          while (pending.length > 0 && (pending[0] as number) <= offset + held.length) {
            const at = (pending.shift() as number) - offset
            if (at <= 0) continue
            controller.enqueue(held.slice(0, at))
            held = held.slice(at)
            offset += at
          }
        },
        flush(controller) {
          if (held.length > 0) controller.enqueue(held)
        },
      }),
    )
    return new Response(body, { status: response.status, headers: response.headers })
  }
}

/** `openEventStream` on the same bytes, then one reconnect with the last event ID it reported. */
async function readOurs(key: string, run: Run): Promise<OurReading> {
  const events: ReadEvent[] = []
  let lastEventId = ''
  const read = (lastSent: string | null) =>
    openEventStream({
      url: fixtureUrl(`/${key}/ours`),
      fetch: cutAt(run.cuts),
      lastEventId: lastSent,
      signal: new AbortController().signal,
      onOpen: () => {},
      onEvent: (event) => {
        lastEventId = event.id ?? lastEventId
        events.push([event.event ?? 'message', event.data, lastEventId])
      },
      onLastEventId: (id) => void (lastEventId = id),
    })
  await within(read(null), READ_TIMEOUT_MS, `openEventStream ${key}`)
  const reconnect = await within(
    read(lastEventId || null).then(
      () => 'ended',
      (error: unknown) => error,
    ),
    READ_TIMEOUT_MS,
    `openEventStream reconnect ${key}`,
  )
  return { events, lastEventId, reconnect }
}

/**
 * Every run, all at once: the streams are stored, both clients read each, then the reconnect
 * headers are fetched. A run that fails gives its error instead of an outcome.
 */
async function readAll(runs: Run[]): Promise<Map<Run, Outcome | Error>> {
  const keys = new Map(runs.map((run) => [run, crypto.randomUUID()]))
  await putFixtures(keys)
  const readings = await Promise.all(
    runs.map((run) => {
      const key = keys.get(run) as string
      return Promise.all([readNatively(key, run.bytes), readOurs(key, run)]).catch(
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      )
    }),
  )
  const records = await reconnectRecords()
  return new Map<Run, Outcome | Error>(
    runs.map((run, index) => {
      const reading = readings[index] as [ReadEvent[], OurReading] | Error
      if (reading instanceof Error) return [run, reading]
      const { native = [], ours = [] } = records[keys.get(run) as string] ?? {}
      return [run, { native: reading[0], ours: reading[1], reconnects: { native, ours } }]
    }),
  )
}

/** The cut offsets of `splitBytes(input, size)`. */
function cutsOfSize(length: number, size: number): number[] {
  const cuts: number[] = []
  for (let offset = size; offset < length; offset += size) cuts.push(offset)
  return cuts
}

const encode = (input: string | Uint8Array) =>
  typeof input === 'string' ? new TextEncoder().encode(input) : input

const vectorRuns: Run[] = parserVectors.flatMap((vector) => {
  const bytes = encode(vector.input)
  const runs = chunkings.map(({ name, size }) => ({
    name: `${vector.name} (${name})`,
    bytes,
    cuts: cutsOfSize(bytes.length, size),
  }))
  // As a server that flushes once per event sends it.
  runs.push({ name: `${vector.name} (one chunk per block)`, bytes, cuts: blockEnds(bytes) })
  if (vector.chunks) {
    let offset = 0
    const cuts = vector.chunks.slice(0, -1).map((chunk) => (offset += encode(chunk).length))
    runs.push({ name: `${vector.name} (split as in the table)`, bytes, cuts })
  }
  return runs
})

const randomRuns: Run[] = Array.from({ length: RANDOM_STREAMS }, (_, index) => {
  const stream = randomEventStream(index + 1)
  return {
    name: `seed ${stream.seed} (${stream.bytes.length} bytes, ${stream.cuts.length + 1} chunks)`,
    bytes: stream.bytes,
    cuts: stream.cuts,
  }
})

/** The header a reconnect carries for a last event ID, as a server reads it (RFC 9110 §5.5). */
const asReceived = (lastEventId: string) =>
  lastEventId === '' ? null : lastEventId.replace(/^[ \t]+|[ \t]+$/g, '')

/** What a failure prints: the stream as text, and its cuts, to replay it. */
const show = (run: Run) =>
  `${run.name}: ${JSON.stringify(new TextDecoder().decode(run.bytes))} cut at ${JSON.stringify(run.cuts)}`

let outcomes: Promise<Map<Run, Outcome | Error>>

function expectAgreement(run: Run) {
  return async () => {
    const outcome = (await outcomes).get(run)
    if (!outcome || outcome instanceof Error) throw outcome ?? new Error(`${run.name} never ran`)
    const { native, ours, reconnects } = outcome
    expect(ours.events, show(run)).toEqual(native)
    // EventSource reconnected exactly once, and that 204 closed it.
    expect(reconnects.native, show(run)).toHaveLength(1)
    expect(asReceived(ours.lastEventId), show(run)).toBe(reconnects.native[0])
    expect(ours.reconnect).toBeInstanceOf(ConnectionError)
    expect((ours.reconnect as ConnectionError).status).toBe(204)
    // Our reconnect sent the same header.
    expect(reconnects.ours, show(run)).toEqual(reconnects.native)
  }
}

describe("openEventStream agrees with Chromium's EventSource", () => {
  beforeAll(() => {
    // Not awaited: the tests below wait for it, each within its own timeout.
    outcomes = readAll([...vectorRuns, ...randomRuns])
    // Each test reports a failure; this only keeps one from going unhandled before they wait.
    outcomes.catch(() => {})
  })

  describe(`the ${parserVectors.length} parser vectors`, () => {
    for (const run of vectorRuns) it(run.name, expectAgreement(run), READ_TIMEOUT_MS * 3)
  })

  describe(`${RANDOM_STREAMS} seeded random streams`, () => {
    for (const run of randomRuns) it(run.name, expectAgreement(run), READ_TIMEOUT_MS * 3)
  })
})
