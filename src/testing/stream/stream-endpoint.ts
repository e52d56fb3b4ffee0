/**
 * `GET /v1/streams/{token}` and `GET /v1/files/{token}`: the server-sent event stream of a
 * prediction, behaving like Replicate's nchan-based stream endpoint
 * (`docs/replicate-protocol.md` §2.1–2.5, §4 items 2–5), with the stream fault of
 * `src/testing/faults/stream-fault.ts` applied per connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FaultState } from '../faults/fault-set'
import { connectionFaults } from '../faults/stream-cuts'
import { sendStreamFaultStatus, type StreamFault } from '../faults/stream-fault'
import { NOT_FOUND, sendMethodNotAllowed, sendProblem } from '../http/responses'
import type { PredictionStore } from '../predictions/prediction-store'
import { createRandom, deriveSeed } from '../predictions/random'
import { HANDSHAKE_FRAME } from './sse-format'
import { StreamConnection } from './stream-connection'

/** Options of the stream endpoint. */
export interface StreamEndpointOptions {
  /** Idle time in ms after which the `:408` frame is written and the stream ends. */
  idleTimeoutMs: number
  /** End the response right after `done` (Replicate keeps it open until the idle timeout). */
  closeAfterDone: boolean
  /** The server's seed; each connection draws from its own generator derived from it. */
  seed: number
}

/** The stream endpoint plus the bookkeeping `ReplicateApp` exposes (`openStreams`, `close`). */
export interface StreamEndpoint {
  /** Serves `streamPath` (`/v1/streams/<token>` or `/v1/files/<token>`). */
  handle(req: IncomingMessage, res: ServerResponse, streamPath: string): void
  readonly openStreams: number
  /** Ends every open stream; resolves when their responses have closed. */
  closeAll(): Promise<void>
}

/** Stream paths: text models on `/v1/streams/`, file models on `/v1/files/` (§1.2). */
export const STREAM_PATH = /^\/v1\/(?:streams|files)\/[^/]+$/

/** Headers a fetch-based client may add, which make the browser send a CORS preflight. */
const ALLOWED_REQUEST_HEADERS = 'Last-Event-ID, Cache-Control, Accept, Authorization'

/**
 * Stream URLs are capability URLs that browsers fetch cross-origin on Replicate, so the endpoint
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
function lastEventIdOf(req: IncomingMessage): string | undefined {
  const header = req.headers['last-event-id']
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('last_event_id')
  const value = (Array.isArray(header) ? header[0] : header) ?? query
  return value === null || value === undefined || value === '' ? undefined : value
}

/** Creates the stream endpoint over `store`. */
export function createStreamEndpoint(
  store: PredictionStore,
  faults: FaultState,
  options: StreamEndpointOptions,
): StreamEndpoint {
  const open = new Set<ServerResponse>()
  let connections = 0

  function stream(
    req: IncomingMessage,
    res: ServerResponse,
    streamPath: string,
    fault: StreamFault | undefined,
    index: number,
  ): void {
    if (sendStreamFaultStatus(res, fault)) return
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
    })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    // Tokens are tiny; without this Nagle's algorithm would hold them back and bunch them up.
    res.socket?.setNoDelay(true)
    const connection = new StreamConnection(res, {
      idleTimeoutMs: options.idleTimeoutMs,
      closeAfterDone: options.closeAfterDone,
      faults: connectionFaults(fault, createRandom(deriveSeed(options.seed, 'connection', index))),
    })
    // Events are published from timers, never during this synchronous step, so the replay is
    // queued before any live event can arrive.
    const subscription = store.subscribe(
      streamPath,
      lastEventIdOf(req),
      (event) => connection.sendEvent(event),
      fault?.resumeOverlap ?? 0,
    )
    if (!subscription) {
      res.end() // the prediction store was closed meanwhile
      return
    }
    res.on('close', () => subscription.unsubscribe())
    connection.sendComment(HANDSHAKE_FRAME)
    for (const event of subscription.replay) connection.sendEvent(event)
  }

  function handle(req: IncomingMessage, res: ServerResponse, streamPath: string): void {
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
    // An unknown token gets a plain 404 and uses up no fault.
    if (!store.hasStream(streamPath)) {
      sendProblem(res, NOT_FOUND)
      return
    }
    const fault = faults.takeStream()
    const index = connections++
    open.add(res)
    let delay: NodeJS.Timeout | undefined
    res.on('close', () => {
      // The client went away (or we ended): forget it so openStreams reflects reality.
      clearTimeout(delay)
      open.delete(res)
    })
    if (fault?.firstByteDelayMs) {
      // Nothing at all (not even the status line) until the delay is over.
      delay = setTimeout(() => stream(req, res, streamPath, fault, index), fault.firstByteDelayMs)
    } else stream(req, res, streamPath, fault, index)
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
