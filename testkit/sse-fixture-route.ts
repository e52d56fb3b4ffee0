/**
 * Serves given server-sent event bytes to Chromium, for the differential tests against its native
 * `EventSource` (test/stream/eventsource-differential.browser.test.ts). Mounted into Vitest's
 * Vite server (vitest.config.ts), so the page reaches it same-origin over loopback.
 *
 * - `PUT /__sse` with the JSON `{ "<key>": { "bytes": [100, 97, ...], "cuts": [3, 10] }, ... }`
 *   stores each stream under its key, to be sent in chunks cut at those byte offsets (none: one
 *   chunk). Answers 204. One request for hundreds of streams: the page has six connections to
 *   this server, and requests, not bytes, are what takes time on a loaded machine.
 * - `GET /__sse/<key>/<reader>`, the first time for that reader: `200 text/event-stream` with
 *   exactly the stream's bytes, each chunk written to the socket before the next, then the end.
 *   Each reader (any name: one per client under comparison) is served the stream once.
 * - The same URL again (a reconnect): records its `Last-Event-ID` and answers 204, which makes
 *   `EventSource` fail the connection instead of reconnecting again (WHATWG HTML §9.2.3).
 * - `GET /__sse`: `{ "<key>": { "<reader>": ["<Last-Event-ID>", null, ...] } }`, the header of
 *   each reconnect in order, `null` where it was absent.
 *
 * Streams live as long as the dev server; a test run stores a few hundred small ones.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Plugin } from 'vite'

/** Where the route is mounted. */
export const SSE_FIXTURE_PATH = '/__sse'

/** One stream of `PUT /__sse`. */
export interface FixtureBody {
  /** The stream, as byte values. */
  bytes: number[]
  /** Byte offsets at which to cut it into chunks, ascending. */
  cuts?: number[]
}

/** What `GET /__sse` answers: per key, per reader, the `Last-Event-ID` of each reconnect. */
export type ReconnectRecords = Record<string, Record<string, (string | null)[]>>

interface Fixture {
  chunks: Buffer[]
  /** Per reader that has been served: the `Last-Event-ID` of each of its reconnects. */
  readers: Map<string, (string | null)[]>
}

/** The body of a request, whole. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const part of req) parts.push(part as Buffer)
  return Buffer.concat(parts)
}

/** `bytes` cut at the given offsets (ascending, inside the bytes; others are ignored). */
function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const chunks: Buffer[] = []
  let start = 0
  for (const offset of cuts) {
    if (offset <= start || offset >= bytes.length) continue
    chunks.push(bytes.subarray(start, offset))
    start = offset
  }
  if (start < bytes.length) chunks.push(bytes.subarray(start))
  return chunks
}

/**
 * The header as the client meant it. Node reads header bytes as Latin-1; `EventSource` sends the
 * last event ID UTF-8 encoded (WHATWG HTML §9.2.3), so its bytes are decoded back. HTTP drops
 * whitespace around a header value (RFC 9110 §5.5), so an id's leading and trailing spaces
 * cannot be seen here.
 */
function lastEventIdOf(req: IncomingMessage): string | null {
  const header = req.headers['last-event-id']
  if (typeof header !== 'string') return null
  return Buffer.from(header, 'latin1').toString('utf8')
}

/** Writes one chunk and resolves once it has been handed to the socket. */
function writeChunk(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    res.write(chunk, (error) => (error ? reject(error) : resolve()))
  })
}

async function serve(res: ServerResponse, chunks: Buffer[]): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
  res.flushHeaders()
  for (const chunk of chunks) {
    if (res.destroyed) return
    // Waiting for each write to reach the socket (Node's HTTP server disables Nagle's algorithm)
    // sends each chunk on its own; the browser may still read several at once.
    await writeChunk(res, chunk)
  }
  res.end()
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}

/** The `/__sse` route, as a Vite plugin. */
export function sseFixtureRoute(): Plugin {
  return {
    name: 'react-prediction-stream:sse-fixture-route',
    configureServer(server) {
      const fixtures = new Map<string, Fixture>()
      server.middlewares.use(SSE_FIXTURE_PATH, (req, res, next) => {
        const [, key, reader, ...rest] = new URL(req.url ?? '/', 'http://fixture').pathname.split(
          '/',
        )
        if (!key && req.method === 'PUT') {
          readBody(req)
            .then((body) => {
              const streams = JSON.parse(body.toString('utf8')) as Record<string, FixtureBody>
              for (const [name, { bytes, cuts = [] }] of Object.entries(streams)) {
                fixtures.set(name, { chunks: cut(Buffer.from(bytes), cuts), readers: new Map() })
              }
              res.writeHead(204).end()
            })
            .catch((error: unknown) => next(error))
          return
        }
        if (!key && req.method === 'GET') {
          const records: ReconnectRecords = {}
          for (const [name, { readers }] of fixtures) records[name] = Object.fromEntries(readers)
          return json(res, 200, records)
        }
        const fixture = key ? fixtures.get(key) : undefined
        if (req.method !== 'GET' || !fixture || !reader || rest.length > 0) {
          return json(res, 404, { detail: 'No such stream' })
        }
        const reconnects = fixture.readers.get(reader)
        if (!reconnects) {
          fixture.readers.set(reader, [])
          serve(res, fixture.chunks).catch((error: unknown) => res.destroy(error as Error))
          return
        }
        reconnects.push(lastEventIdOf(req))
        res.writeHead(204, { 'Cache-Control': 'no-store' }).end()
      })
    },
  }
}
