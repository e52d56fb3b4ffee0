/**
 * The core's throughput in Node: `PredictionStream` over loopback against `eventsource-parser`
 * alone and against only reading the body, on the same bytes (100k `output` events framed as
 * Replicate frames them, sent as fast as the socket takes them), and whether the cost of an
 * event grows with the stream: the last 10% of the events against the first 10%. Every client is
 * warmed up first and timed without a forced garbage collection before it; the heap a finished
 * stream retains is measured in a run of its own.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createParser } from 'eventsource-parser'
import { PredictionStream } from '../../src/core/index'
import { formatEvent } from '../../src/testing/stream/sse-format'
import { median } from '../stats'

/** What one comparison found. Rates in events per second, times in µs per event. */
export interface NodeStreamResult {
  events: number
  bytes: number
  readBodyEventsPerSecond: number
  parserEventsPerSecond: number
  predictionStreamEventsPerSecond: number
  /** `PredictionStream` ÷ `eventsource-parser` alone (goal ≥ 0.3). */
  ratioToParser: number
  /** `PredictionStream` ÷ reading the body. */
  ratioToReadBody: number
  firstTenthMicrosPerEvent: number
  lastTenthMicrosPerEvent: number
  /** Last 10% ÷ first 10% (goal ≤ 1.3). */
  lastToFirstTenth: number
  /** Heap still used after a full GC with the finished stream kept, over the heap before it. */
  retainedHeapBytes: number
}

/** The stream's bytes: the handshake, `count` output events, then `done`. */
export function streamBytes(tokens: readonly string[]): Buffer {
  const id = (index: number) => `1700000000:${index}`
  const parts = [': hi\n\n']
  tokens.forEach((data, index) => parts.push(formatEvent({ event: 'output', id: id(index), data })))
  parts.push(formatEvent({ event: 'done', id: id(tokens.length), data: '{}' }))
  return Buffer.from(parts.join(''))
}

/** A loopback server: `POST /predictions` creates, `GET /stream` sends `bytes` at once. */
async function serve(bytes: Buffer) {
  const server = createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
      res.end(bytes)
      return
    }
    // The create (POST), or a read of the prediction (GET) should the client ever make one.
    const origin = `http://${req.headers.host}`
    req.resume()
    req.on('end', () => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' })
      res.end(
        JSON.stringify({
          id: 'bench',
          model: 'bench/tokens',
          version: 'bench',
          input: {},
          logs: '',
          output: null,
          error: null,
          status: req.method === 'POST' ? 'starting' : 'processing',
          created_at: new Date().toISOString(),
          urls: {
            get: `${origin}/predictions/bench`,
            cancel: `${origin}/predictions/bench/cancel`,
            stream: `${origin}/stream`,
          },
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A full garbage collection (V8's `gc`, exposed for this process on first use). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

async function readBody(url: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(url)
  let bytes = 0
  for await (const chunk of response.body!) bytes += (chunk as Uint8Array).length
  if (bytes === 0) throw new Error('empty body')
  return performance.now() - started
}

function parseAlone(bytes: Buffer, count: number): number {
  // The same pieces a socket hands over (64 KiB), decoded as a stream, then parsed.
  const started = performance.now()
  const decoder = new TextDecoder()
  let events = 0
  const parser = createParser({ onEvent: () => void (events += 1) })
  for (let offset = 0; offset < bytes.length; offset += 65_536) {
    parser.feed(decoder.decode(bytes.subarray(offset, offset + 65_536), { stream: true }))
  }
  parser.feed(decoder.decode())
  const elapsed = performance.now() - started
  if (events !== count + 1) throw new Error(`parsed ${events} events`)
  return elapsed
}

interface StreamRun {
  elapsedMs: number
  firstTenthMicros: number
  lastTenthMicros: number
  /** Only measured in a run of its own (`measureHeap`), never in a timed one. */
  retainedHeapBytes: number
}

/**
 * One run. With `measureHeap`, a full GC before and after gives the heap the finished stream
 * retains; such a run is not timed: a forced GC just before a timed run shrinks V8's young
 * generation, and the run would pay for scavenges that the parser alone, timed without one,
 * does not (measured: about 25% more time for the same run).
 */
async function runPredictionStream(
  url: string,
  count: number,
  measureHeap = false,
): Promise<StreamRun> {
  if (measureHeap) collectGarbage()
  const heapBefore = process.memoryUsage().heapUsed
  const stream = new PredictionStream({ endpoint: `${url}/predictions`, model: 'bench/tokens' })
  // (time, events applied) at every notification: one per network chunk.
  const seen: { at: number; events: number }[] = []
  stream.subscribe(() => {
    seen.push({ at: performance.now(), events: stream.getSnapshot().metrics.outputEvents })
  })
  const started = performance.now()
  await stream.start({ prompt: 'bench' })
  const elapsedMs = performance.now() - started
  const snapshot = stream.getSnapshot()
  if (snapshot.status !== 'succeeded' || snapshot.output.length !== count) {
    throw new Error(`PredictionStream: ${snapshot.status}, ${snapshot.output.length} outputs`)
  }
  // The cost of an event in a stretch of the stream: the median over its chunks of the time
  // from one notification to the next per event applied. A chunk takes under 1 ms, so a single
  // garbage collection landing in one would decide a plain total; a cost per event that grew
  // with the stream would raise every chunk.
  const perEvent = (from: number, to: number) =>
    median(
      seen.flatMap((next, index) => {
        const previous = seen[index - 1]
        if (!previous || previous.events < from || next.events > to) return []
        const events = next.events - previous.events
        return events > 0 ? [((next.at - previous.at) * 1000) / events] : []
      }),
    )
  if (measureHeap) collectGarbage()
  const retainedHeapBytes = process.memoryUsage().heapUsed - heapBefore
  void stream.getSnapshot() // keep the stream (and what it retains) alive until here
  return {
    elapsedMs,
    firstTenthMicros: perEvent(1, count * 0.1),
    lastTenthMicros: perEvent(count * 0.9, count),
    retainedHeapBytes,
  }
}

/** Runs the comparison on `count` tokens cycled from `recorded`; medians of `reps` runs each. */
export async function runNodeStream(
  recorded: readonly string[],
  count: number,
  reps: number,
): Promise<NodeStreamResult> {
  const tokens = Array.from({ length: count }, (_, index) => recorded[index % recorded.length]!)
  const bytes = streamBytes(tokens)
  const server = await serve(bytes)
  // A tenth of the stream to warm up each path first (JIT), so the first tenth measured is not
  // the compiler's.
  const warmUp = await serve(streamBytes(tokens.slice(0, count / 10)))
  try {
    await readBody(`${warmUp.url}/stream`)
    parseAlone(bytes, count)
    await runPredictionStream(warmUp.url, count / 10)
    // First, while no earlier run's stream can be let go during it: a finished stream stays
    // reachable from the HTTP client's pooled connection until that connection is reused.
    const heap = await runPredictionStream(server.url, count, true)
    const readMs: number[] = []
    const parseMs: number[] = []
    const streams: StreamRun[] = []
    for (let rep = 0; rep < reps; rep++) {
      readMs.push(await readBody(`${server.url}/stream`))
      parseMs.push(parseAlone(bytes, count))
      streams.push(await runPredictionStream(server.url, count))
      // A core that is O(n) per event needs minutes for one run: once is enough to show it.
      if (streams[0]!.elapsedMs > 20_000) break
    }
    const rate = (ms: number) => (count * 1000) / ms
    const streamRate = rate(median(streams.map((run) => run.elapsedMs)))
    const parserRate = rate(median(parseMs))
    const readRate = rate(median(readMs))
    const firstTenth = median(streams.map((run) => run.firstTenthMicros))
    const lastTenth = median(streams.map((run) => run.lastTenthMicros))
    return {
      events: count,
      bytes: bytes.length,
      readBodyEventsPerSecond: readRate,
      parserEventsPerSecond: parserRate,
      predictionStreamEventsPerSecond: streamRate,
      ratioToParser: streamRate / parserRate,
      ratioToReadBody: streamRate / readRate,
      firstTenthMicrosPerEvent: firstTenth,
      lastTenthMicrosPerEvent: lastTenth,
      lastToFirstTenth: lastTenth / firstTenth,
      retainedHeapBytes: heap.retainedHeapBytes,
    }
  } finally {
    await Promise.all([server.close(), warmUp.close()])
  }
}
