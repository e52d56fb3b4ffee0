/**
 * The local Replicate-compatible server as Connect-style listeners: `/v1` API, streams, and the
 * library's route handler, mountable in `node:http` and in Vite / Storybook dev servers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Prediction } from '../core/prediction'
import type { ApiContext } from './api/api-context'
import { handleApiRequest } from './api/v1-router'
import { FaultState, type FaultController } from './faults/fault-set'
import { RequestLog, type RecordedRequest, type RequestHost } from './http/request-log'
import { NOT_FOUND, sendProblem } from './http/responses'
import { predictionPageId, sendPredictionPage } from './http/prediction-page'
import { mountRouteHandler } from './http/route-handler-mount'
import { resolveOptions, type ReplicateServerOptions } from './options'
import { PredictionStore } from './predictions/prediction-store'
import { createStreamEndpoint, STREAM_PATH } from './stream/stream-endpoint'

/** A Connect-style Node listener; see {@link ReplicateApp.handle}. */
export type NodeRequestListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void

/** The server's request listeners, controls and inspection, see {@link createReplicateApp}. */
export interface ReplicateApp {
  /**
   * Connect-style Node listener for everything: API, streams and route handler on one origin (the
   * mounted, single-port case). With `next`, paths that are neither `/v1/*` nor the predictions
   * endpoint call `next()`, so the app can be mounted in Vite/Storybook dev servers; without
   * `next` they get Replicate's 404 problem+json. After {@link ReplicateApp.close} every request
   * it owns gets 503.
   */
  handle: NodeRequestListener
  /** Like {@link ReplicateApp.handle} but for the API host only: stream paths get 404 here. */
  handleApi: NodeRequestListener
  /** Like {@link ReplicateApp.handle} but for the stream host only: every other path gets 404. */
  handleStream: NodeRequestListener
  /**
   * The live fault set: `faults.set({ create: { status: 429, times: 2 } })`, `faults.clear()`,
   * `faults.current` (see `Faults` for every fault and how long each lasts).
   */
  readonly faults: FaultController
  /**
   * Cancels prediction `id` from the server side, as if Replicate canceled it
   * (docs/replicate-protocol.md §3.1): `canceled`, `done {"reason": "canceled"}` on its stream.
   * Returns the prediction, unchanged when it had already ended, or `undefined` for an unknown id.
   */
  cancel(id: string): Prediction | undefined
  /** Predictions created so far, oldest first, as snapshots (changing them changes nothing). */
  readonly predictions: readonly Prediction[]
  /**
   * Requests received so far on the API and stream hosts, oldest first (the last 10,000), with
   * method, path, headers (`last-event-id`, `prefer`, …) and response status.
   */
  readonly requests: readonly RecordedRequest[]
  /** Stream connections open right now (including ones held by a first-byte delay). */
  readonly openStreams: number
  /** The seed in use (the `seed` option, or the random one chosen). */
  readonly seed: number
  /** Stops all prediction timers and ends all open streams. Safe to call more than once. */
  close(): Promise<void>
}

/**
 * `http://{Host}` of a request, the origin clients used to reach us; prediction `urls` are
 * built from it, so they work on an ephemeral port and behind a dev server on another port (the
 * route handler's upstream is not: see `http/route-handler-mount.ts`). A Host that is not a plain `host[:port]` falls back to the socket's
 * local address instead of being copied into URLs.
 */
function originOf(req: IncomingMessage): string {
  const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http'
  const authority = req.headers.host ?? req.headers[':authority']
  if (
    typeof authority === 'string' &&
    /^[\w.-]+(:\d+)?$|^\[[\da-f:.]+\](:\d+)?$/i.test(authority)
  ) {
    return `${scheme}://${authority}`
  }
  const address = req.socket.localAddress ?? '127.0.0.1'
  const host = address.includes(':') ? `[${address}]` : address
  return `${scheme}://${host}:${req.socket.localPort ?? 80}`
}

/**
 * Creates the Replicate-compatible app without listening anywhere. It serves:
 *
 * - `/v1/models/{owner}/{name}/predictions`, `/v1/deployments/{owner}/{name}/predictions`,
 *   `/v1/predictions` (create by version, list), `/v1/predictions/{id}`,
 *   `/v1/predictions/{id}/cancel`: Replicate's HTTP API with bearer auth, `Prefer: wait` and
 *   `Cancel-After` (`docs/replicate-protocol.md` §1);
 * - `/v1/streams/{token}` (text models) and `/v1/files/{token}` (file models): the server-sent
 *   event stream, framed byte for byte like Replicate's (§2), no auth, CORS like nchan;
 * - `predictionsEndpoint` (default `/api/predictions`): the library's `createPredictionHandler`,
 *   forwarding to this app's own `/v1` at the address it listens on, with the app's token.
 * - `/p/{id}`: the HTML page of a prediction, which its `urls.web` points at.
 *
 * Models are every recording of `recorded-outputs.json` (three text models, five image
 * iterators) and the local-only `local/echo`; each prediction replays one of its model's
 * recordings, chosen by a hash of `input.prompt`, after validating `input` against the model's
 * schema. Streams are same-origin unless `streamOrigin` is set: a mounted middleware owns one
 * port. {@link startReplicateServer} gives them their own origin, as on Replicate.
 *
 * @throws InvalidOptionsError synchronously for invalid options (see {@link ReplicateServerOptions}).
 */
export function createReplicateApp(options: ReplicateServerOptions = {}): ReplicateApp {
  const resolved = resolveOptions(options)
  const store = new PredictionStore(resolved.cadence, resolved.now, {
    seed: resolved.seed,
    streamLogs: resolved.streamLogs,
  })
  const faults = new FaultState(resolved.faults)
  const streams = createStreamEndpoint(store, faults, resolved)
  const log = new RequestLog()
  const endpoint = resolved.predictionsEndpoint
  let closing: Promise<void> | undefined
  const apiContext: ApiContext = {
    store,
    token: resolved.token,
    faults,
    deployments: resolved.deployments,
    streamOrigin: resolved.streamOrigin ?? ((apiOrigin) => apiOrigin),
    apiCors: resolved.apiCors,
    minCancelAfterMs: resolved.minCancelAfterMs,
  }
  const routeHandler = mountRouteHandler(
    resolved.token,
    endpoint ?? undefined,
    resolved.allowedOrigins,
  )

  async function route(
    roles: { api: boolean; stream: boolean },
    req: IncomingMessage,
    res: ServerResponse,
    next?: (err?: unknown) => void,
  ): Promise<void> {
    // Connect strips a mount prefix from `req.url` and keeps the full path in `originalUrl`.
    const rawUrl = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
    const url = new URL(rawUrl, 'http://localhost')
    const { pathname } = url
    const isStream = STREAM_PATH.test(pathname)
    const isApi = !isStream && (pathname === '/v1' || pathname.startsWith('/v1/'))
    const isEndpoint =
      endpoint !== null && (pathname === endpoint || pathname.startsWith(`${endpoint}/`))
    // `/p/{id}`, the page `urls.web` links to, only for a prediction that exists: a dev server
    // mounting this app keeps every other `/p/…` path of its own.
    const pageId = roles.api ? predictionPageId(pathname) : undefined
    const page = pageId === undefined ? undefined : store.get(pageId)
    const owned = (roles.stream && isStream) || (roles.api && (isApi || isEndpoint)) || !!page
    const host: RequestHost = roles.api && (!roles.stream || !isStream) ? 'api' : 'stream'
    // A dev server's own requests (passed on to `next`) are not ours to record.
    if (owned || !next) log.record(req, res, host, rawUrl)
    if (!owned) {
      if (next) next()
      else sendProblem(res, NOT_FOUND)
      return
    }
    if (closing) {
      sendProblem(res, { detail: 'The local Replicate server is shutting down.', status: 503 })
      return
    }
    const origin = originOf(req)
    if (isStream) streams.handle(req, res, pathname)
    else if (page) sendPredictionPage(res, page)
    else if (isApi) {
      await handleApiRequest(apiContext, req, res, url, routeHandler.callerOrigin(req) ?? origin)
    } else await routeHandler.serve(req, res, origin, origin + rawUrl)
  }

  const listener =
    (roles: { api: boolean; stream: boolean }): NodeRequestListener =>
    (req, res, next) => {
      route(roles, req, res, next).catch((error: unknown) => {
        // A bug must not leave the request hanging: answer 500 if we still can.
        if (res.headersSent) res.destroy()
        else {
          const detail = error instanceof Error ? error.message : String(error)
          sendProblem(res, { detail: `Internal error: ${detail}`, status: 500 })
        }
      })
    }

  return {
    handle: listener({ api: true, stream: true }),
    handleApi: listener({ api: true, stream: false }),
    handleStream: listener({ api: false, stream: true }),
    faults,
    cancel: (id) => store.cancel(id),
    get predictions() {
      return store.list()
    },
    get requests() {
      return log.list()
    },
    get openStreams() {
      return streams.openStreams
    },
    seed: resolved.seed,
    close() {
      closing ??= (async () => {
        store.close()
        await streams.closeAll()
      })()
      return closing
    },
  }
}
