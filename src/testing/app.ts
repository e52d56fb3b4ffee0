/**
 * The local Replicate-compatible server as a Connect-style listener: `/v1` API, streams, and the
 * library's route handler, mountable in `node:http` and in Vite / Storybook dev servers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Prediction } from '../core/prediction'
import { createPredictionHandler } from '../server/create-prediction-handler'
import { handleApiRequest } from './api-routes'
import { NOT_FOUND, sendProblem } from './http-responses'
import { serveWithFetchHandler, type FetchHandler } from './node-adapter'
import { resolveFail, resolveOptions, type ReplicateServerOptions } from './options'
import { PredictionStore } from './prediction-store'
import { createStreamRoute } from './stream-route'

/** The server's request listener and controls, see {@link createReplicateApp}. */
export interface ReplicateApp {
  /**
   * Connect-style Node listener. With `next`, paths that are neither `/v1/*` nor the predictions
   * endpoint call `next()`, so the app can be mounted in Vite/Storybook dev servers; without
   * `next` they get Replicate's 404 problem+json. After {@link ReplicateApp.close} every request
   * it owns gets 503.
   */
  handle(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void
  /**
   * Changes the failure injection for predictions created from now on; running predictions keep
   * theirs. `null` makes new predictions succeed again.
   *
   * @throws InvalidOptionsError for a malformed value (see {@link ReplicateServerOptions.fail}).
   */
  setFail(fail: ReplicateServerOptions['fail']): void
  /** Predictions created so far, oldest first, as snapshots (changing them changes nothing). */
  readonly predictions: readonly Prediction[]
  /** Stream connections open right now. */
  readonly openStreams: number
  /** Stops all prediction timers and ends all open streams. Safe to call more than once. */
  close(): Promise<void>
}

/**
 * `http://{Host}` of a request, the origin clients used to reach us; prediction `urls` and the
 * route handler's loopback are built from it, so both work on an ephemeral port and behind a dev
 * server on another port. A Host that is not a plain `host[:port]` falls back to the socket's
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
 * - `/v1/models/{owner}/{name}/predictions`, `/v1/predictions` (create, list),
 *   `/v1/predictions/{id}`, `/v1/predictions/{id}/cancel`: Replicate's HTTP API with bearer auth
 *   (`replicate-protocol.md` §1);
 * - `/v1/streams/{token}`: the server-sent event stream, framed byte for byte like Replicate's
 *   (§2), no auth;
 * - `predictionsEndpoint` (default `/api/predictions`): the library's `createPredictionHandler`,
 *   forwarding to this app's own `/v1` on the request's Host with the app's token.
 *
 * Models are the text recordings of `recorded-outputs.json` (`meta/llama-2-70b-chat`,
 * `meta/meta-llama-3-8b-instruct`, `nateraw/goliath-120b`); each prediction replays one of its
 * model's recordings, chosen by a hash of `input.prompt`.
 *
 * @throws InvalidOptionsError synchronously for invalid options (see {@link ReplicateServerOptions}).
 */
export function createReplicateApp(options: ReplicateServerOptions = {}): ReplicateApp {
  const resolved = resolveOptions(options)
  const store = new PredictionStore(resolved.cadence)
  const streams = createStreamRoute(store, resolved)
  const endpoint = resolved.predictionsEndpoint
  let fail = resolved.fail
  let closing: Promise<void> | undefined
  const apiContext = { store, token: resolved.token, fail: () => fail }
  // One handler per origin, because its upstream base URL is the origin the client used.
  const handlers = new Map<string, FetchHandler>()

  function routeHandlerFor(origin: string): FetchHandler {
    let handler = handlers.get(origin)
    if (!handler) {
      handler = createPredictionHandler({
        token: resolved.token,
        baseUrl: `${origin}/v1`,
        endpoint: endpoint ?? undefined,
      })
      handlers.set(origin, handler)
    }
    return handler
  }

  async function route(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) {
    // Connect strips a mount prefix from `req.url` and keeps the full path in `originalUrl`.
    const rawUrl = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
    const { pathname } = new URL(rawUrl, 'http://localhost')
    const isApi = pathname === '/v1' || pathname.startsWith('/v1/')
    const isEndpoint =
      endpoint !== null && (pathname === endpoint || pathname.startsWith(`${endpoint}/`))
    if (!isApi && !isEndpoint) {
      if (next) next()
      else sendProblem(res, NOT_FOUND)
      return
    }
    if (closing) {
      sendProblem(res, { detail: 'The local Replicate server is shutting down.', status: 503 })
      return
    }
    const origin = originOf(req)
    const stream = /^\/v1\/streams\/([^/]+)$/.exec(pathname)
    if (stream) streams.handle(req, res, stream[1]!)
    else if (isApi) await handleApiRequest(apiContext, req, res, pathname, origin)
    else await serveWithFetchHandler(routeHandlerFor(origin), req, res, origin + rawUrl)
  }

  return {
    handle(req, res, next) {
      route(req, res, next).catch((error: unknown) => {
        // A bug must not leave the request hanging: answer 500 if we still can.
        if (res.headersSent) res.destroy()
        else {
          const detail = error instanceof Error ? error.message : String(error)
          sendProblem(res, { detail: `Internal error: ${detail}`, status: 500 })
        }
      })
    },
    setFail(value) {
      fail = resolveFail(value)
    },
    get predictions() {
      return store.list()
    },
    get openStreams() {
      return streams.openStreams
    },
    close() {
      closing ??= (async () => {
        store.close()
        await streams.closeAll()
      })()
      return closing
    },
  }
}
