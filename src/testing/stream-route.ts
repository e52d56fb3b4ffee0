/**
 * `GET /v1/streams/{token}`: the server-sent event stream of a prediction, behaving like
 * Replicate's nchan-based stream endpoint (`replicate-protocol.md` §2.1–2.5, §4 items 2–5).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { PredictionStore } from './prediction-store'
import { formatEvent, HANDSHAKE_FRAME, IDLE_TIMEOUT_FRAME, type StreamEvent } from './sse-format'
import { NOT_FOUND, sendMethodNotAllowed, sendProblem } from './http-responses'

/** Options of the stream route. */
export interface StreamRouteOptions {
  /** Idle time in ms after which the `:408` frame is written and the stream ends. */
  idleTimeoutMs: number
  /** End the response right after `done` (Replicate keeps it open until the idle timeout). */
  closeAfterDone: boolean
}

/** The stream route plus the bookkeeping `ReplicateApp` exposes (`openStreams`, `close`). */
export interface StreamRoute {
  handle(req: IncomingMessage, res: ServerResponse, streamToken: string): void
  readonly openStreams: number
  /** Ends every open stream; resolves when their responses have closed. */
  closeAll(): Promise<void>
}

/** Headers a fetch-based client may add, which make the browser send a CORS preflight. */
const ALLOWED_REQUEST_HEADERS = 'Last-Event-ID, Cache-Control, Accept, Authorization'

/**
 * Stream URLs are capability URLs that browsers fetch cross-origin on Replicate, so the route
 * answers CORS like nchan's defaults: echo the `Origin` and allow credentials (§2.2), which also
 * covers `new EventSource(url, { withCredentials: true })`.
 */
function setCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin
  if (origin === undefined) return
  res.setHeader('Access-Control-Allow-Origin', origin)
  res.setHeader('Access-Control-Allow-Credentials', 'true')
  res.setHeader('Vary', 'Origin')
}

/** The id to resume after: the `Last-Event-ID` header, else nchan's `?last_event_id=` (§2.5). */
function lastEventIdOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['last-event-id']
  const value =
    (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('last_event_id')
  return value === null || value === undefined || value === '' ? undefined : value
}

/** Creates the stream route over `store`. */
export function createStreamRoute(
  store: PredictionStore,
  options: StreamRouteOptions,
): StreamRoute {
  const open = new Set<ServerResponse>()

  function handle(req: IncomingMessage, res: ServerResponse, streamToken: string): void {
    setCorsHeaders(req, res)
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS,
        'Access-Control-Max-Age': '86400',
      })
      res.end()
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendMethodNotAllowed(req, res, 'GET, HEAD, OPTIONS')
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    let idleTimer: NodeJS.Timeout | undefined
    let ended = false

    const end = (): void => {
      if (ended) return
      ended = true
      clearTimeout(idleTimer)
      subscription?.unsubscribe()
      res.end()
    }
    // nchan resets the subscriber timer on every message, so this is an *idle* timeout (§2.5):
    // a client that ignores `done` gets the 408 frame once the stream has been quiet long enough.
    const write = (chunk: string): void => {
      if (ended) return
      res.write(chunk)
      clearTimeout(idleTimer)
      idleTimer = setTimeout(() => {
        res.write(IDLE_TIMEOUT_FRAME)
        end()
      }, options.idleTimeoutMs)
    }
    const send = (event: StreamEvent): void => {
      write(formatEvent(event))
      if (event.event === 'done' && options.closeAfterDone) end()
    }

    // Look the token up (subscribing) before any header is written, so an unknown token still
    // gets a plain 404. Events are published from timers, never during this synchronous handler,
    // so the replay below is written before any live event can arrive.
    const subscription = store.subscribe(streamToken, lastEventIdOf(req, url), send)
    if (!subscription) {
      sendProblem(res, NOT_FOUND)
      return
    }

    open.add(res)
    res.on('close', () => {
      // The client went away (or we ended): stop listening so openStreams reflects reality.
      ended = true
      clearTimeout(idleTimer)
      subscription.unsubscribe()
      open.delete(res)
    })
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
    })
    if (req.method === 'HEAD') {
      end()
      return
    }
    // Tokens are tiny; without this Nagle's algorithm would hold them back and bunch them up.
    res.socket?.setNoDelay(true)
    write(HANDSHAKE_FRAME)
    for (const event of subscription.replay) send(event)
  }

  async function closeAll(): Promise<void> {
    const closing = [...open].map(
      (res) =>
        new Promise<void>((resolve) => {
          res.once('close', () => resolve())
          res.end()
        }),
    )
    await Promise.all(closing)
  }

  return {
    handle,
    get openStreams() {
      return open.size
    },
    closeAll,
  }
}
