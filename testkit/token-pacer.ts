/**
 * One pacer for the benchmark's browser pages: a node:http server on loopback that serves the
 * built pages and sends the same tokens at the same times in each client's protocol, so what the
 * bench compares is the clients, never the feeds.
 *
 * - Replicate's (ours, and the naive `EventSource` page): `POST /replicate/predictions` answers a
 *   prediction whose `urls.stream` is `GET /replicate/streams/{run}`, framed byte for byte as
 *   Replicate frames it (`docs/replicate-protocol.md` §2.4): `output` events, then `done`.
 * - The AI SDK's text stream protocol (`useCompletion({ streamProtocol: 'text' })`):
 *   `POST /ai-sdk/completion?run={run}` answers the tokens as plain text chunks.
 *
 * Token `k` of a run is due `k / tokensPerSecond` seconds after its stream request arrived; each
 * timer tick writes every token that is due in one write, the same grouping for every protocol.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { formatEvent } from '../src/testing/stream/sse-format'

/** One run: these tokens at this rate, to exactly one stream request. */
export interface PacedRun {
  readonly tokens: readonly string[]
  /** Tokens per second, > 0. */
  readonly tokensPerSecond: number
}

/** When the pacer wrote a run's bytes, in ms since the epoch. */
export interface PacedTimes {
  /** The stream request arrived (token 0 is due now). */
  readonly startedAt: number
  /** Just before the write holding the last token was handed to the socket. */
  readonly lastByteAt: number
}

/** A listening pacer. */
export interface TokenPacer {
  /** `http://127.0.0.1:{port}`. */
  readonly url: string
  /** Registers a run under `id`; its stream may be requested once. */
  prepare(id: string, run: PacedRun): void
  /** Resolves when the last byte of run `id` has been written. */
  finished(id: string): Promise<PacedTimes>
  close(): Promise<void>
}

/**
 * Wall-clock milliseconds, comparable with a page's `performance.timeOrigin + performance.now()`.
 * `Date.now()` rather than this process's own `timeOrigin`, which was fixed when the process
 * started and drifts from the system clock as the process runs.
 */
export const wallClock = (): number => Date.now()

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

/** nchan-style ids `<seconds>:<n>` (§2.5), strictly increasing within a run. */
const eventId = (index: number) => `1700000000:${index}`

interface RunState extends PacedRun {
  resolve: (times: PacedTimes) => void
  finished: Promise<PacedTimes>
  taken: boolean
}

/**
 * Starts the pacer on an ephemeral loopback port, serving the files of `staticDir` (the bench's
 * Vite build) at `/`.
 */
export async function startTokenPacer(staticDir: string): Promise<TokenPacer> {
  const runs = new Map<string, RunState>()
  const timers = new Set<NodeJS.Timeout>()

  function take(id: string | null | undefined): RunState | undefined {
    const run = id ? runs.get(id) : undefined
    if (!run || run.taken) return undefined
    run.taken = true
    return run
  }

  /** Writes `run`'s tokens to `res` on schedule: `frame(from, to)` frames tokens `from…to-1`. */
  function pace(res: ServerResponse, run: RunState, frame: (from: number, to: number) => string) {
    const { tokens, tokensPerSecond } = run
    const startedAt = wallClock()
    const started = performance.now()
    res.socket?.setNoDelay(true)
    let sent = 0
    const tick = () => {
      const elapsed = performance.now() - started
      const due = Math.min(tokens.length, Math.floor((elapsed * tokensPerSecond) / 1000) + 1)
      const chunk = frame(sent, due)
      sent = due
      if (sent === tokens.length) {
        // Read before the write: its callback can run after the browser has already drawn the
        // text on a busy machine.
        const lastByteAt = wallClock()
        res.end(chunk, () => run.resolve({ startedAt, lastByteAt }))
        return
      }
      if (chunk !== '') res.write(chunk)
      const timer = setTimeout(
        () => {
          timers.delete(timer)
          tick()
        },
        Math.max(0, (sent * 1000) / tokensPerSecond - (performance.now() - started)),
      )
      timers.add(timer)
    }
    tick()
  }

  async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    let body = ''
    for await (const chunk of req) body += String(chunk)
    return JSON.parse(body || '{}') as Record<string, unknown>
  }

  async function serveFile(res: ServerResponse, pathname: string) {
    const file = normalize(join(staticDir, pathname === '/' ? 'index.html' : pathname))
    if (!file.startsWith(staticDir) || !(await stat(file).catch(() => null))?.isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    })
    createReadStream(file).pipe(res)
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`
    const created = url.pathname.match(/^\/replicate\/predictions\/?$/)
    if (created && req.method === 'POST') {
      const body = await readJson(req)
      const run = String((body.input as Record<string, unknown> | undefined)?.run ?? '')
      if (!runs.has(run)) return void res.writeHead(404).end()
      res.writeHead(201, { 'Content-Type': 'application/json' })
      res.end(
        JSON.stringify({
          id: run,
          model: 'bench/tokens',
          version: 'bench',
          input: body.input,
          logs: '',
          output: null,
          data_removed: false,
          error: null,
          status: 'starting',
          created_at: new Date().toISOString(),
          urls: {
            get: `${origin}/replicate/predictions/${run}`,
            cancel: `${origin}/replicate/predictions/${run}/cancel`,
            stream: `${origin}/replicate/streams/${run}`,
          },
        }),
      )
      return
    }
    const stream = url.pathname.match(/^\/replicate\/streams\/([^/]+)$/)
    if (stream && req.method === 'GET') {
      const run = take(stream[1])
      if (!run) return void res.writeHead(404).end()
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
      })
      res.write(': hi\n\n')
      const { tokens } = run
      pace(res, run, (from, to) => {
        let chunk = ''
        for (let index = from; index < to; index++) {
          chunk += formatEvent({ event: 'output', id: eventId(index), data: tokens[index]! })
        }
        // The model returns right after its last item, so `done` shares the last write.
        if (to === tokens.length) {
          chunk += formatEvent({ event: 'done', id: eventId(to), data: '{}' })
        }
        return chunk
      })
      return
    }
    if (url.pathname === '/ai-sdk/completion' && req.method === 'POST') {
      await readJson(req)
      const run = take(url.searchParams.get('run'))
      if (!run) return void res.writeHead(404).end()
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      pace(res, run, (from, to) => run.tokens.slice(from, to).join(''))
      return
    }
    if (req.method === 'GET') return serveFile(res, decodeURIComponent(url.pathname))
    res.writeHead(405).end()
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    prepare(id, run) {
      let resolve!: (times: PacedTimes) => void
      const finished = new Promise<PacedTimes>((done) => (resolve = done))
      runs.set(id, { ...run, resolve, finished, taken: false })
    },
    finished(id) {
      const run = runs.get(id)
      if (!run) throw new Error(`No run ${id}`)
      return run.finished
    },
    async close() {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
