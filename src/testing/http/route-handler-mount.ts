/**
 * The library's route handler as the local server mounts it at `predictionsEndpoint`: one
 * handler per app, sending the token to the app's own `/v1` at the address the server listens
 * on, never to an address taken from the `Host` header, which the client chooses.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createPredictionHandler } from '../../server/create-prediction-handler'
import { serveWithFetchHandler, type FetchHandler } from './node-adapter'

/**
 * Tells `/v1` which origin the route handler's own caller used, so prediction URLs
 * (`urls.stream`) stay same-origin with the page in a dev server. It only shapes the URLs in
 * the reply to the request that carries it, as `Host` does; where the token goes never depends
 * on it.
 */
const CALLER_ORIGIN_HEADER = 'x-local-replicate-caller-origin'
const ORIGIN = /^https?:\/\/([\w.-]+|\[[\da-f:.]+\])(:\d{1,5})?$/i

/** The mounted route handler of one app. */
export interface RouteHandlerMount {
  /** Serves `req` at `url` (absolute, on the `origin` its client used). */
  serve(req: IncomingMessage, res: ServerResponse, origin: string, url: string): Promise<void>
  /** The origin the route handler's caller used, on a `/v1` request the handler made. */
  callerOrigin(req: IncomingMessage): string | undefined
}

/**
 * Creates the mount. The local server is one developer's tool, so every caller is the same
 * subject (Node clients have no cookie jar for the anonymous default), any model runs and nothing
 * is rate limited; references are still signed, with a secret drawn for this app. Logs and input
 * are shown, as a demo wants them. Pages on `allowedOrigins` may call it cross-origin.
 */
export function mountRouteHandler(
  token: string,
  endpoint: string | undefined,
  allowedOrigins: readonly string[] = [],
): RouteHandlerMount {
  const callerOrigin = new AsyncLocalStorage<string>()
  const secret = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
  // Created on the first request: only then is the listening port known.
  let handler: FetchHandler | undefined

  function handlerFor(req: IncomingMessage): FetchHandler {
    handler ??= createPredictionHandler({
      token,
      baseUrl: `${ownLoopbackOrigin(req)}/v1`,
      endpoint,
      secret,
      allowedModels: '*',
      allowedOrigins,
      authorize: () => 'local',
      rateLimit: false,
      maxConcurrentPredictions: false,
      exposeLogs: true,
      exposeInput: true,
      fetch: (input, init) => {
        const headers = new Headers(init?.headers)
        const origin = callerOrigin.getStore()
        if (origin) headers.set(CALLER_ORIGIN_HEADER, origin)
        return fetch(input, { ...init, headers })
      },
    })
    return handler
  }

  return {
    serve: (req, res, origin, url) =>
      callerOrigin.run(origin, () => serveWithFetchHandler(handlerFor(req), req, res, url)),
    callerOrigin(req) {
      const value = req.headers[CALLER_ORIGIN_HEADER]
      return typeof value === 'string' && ORIGIN.test(value) ? value : undefined
    },
  }
}

/**
 * `http://{loopback}:{port}` of the socket `req` arrived on: this server itself. A server bound
 * to one non-loopback interface only is not reachable this way; its route handler answers 502.
 */
function ownLoopbackOrigin(req: IncomingMessage): string {
  const address = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '')
  const loopback = address === '::1' || address.startsWith('127.') ? address : undefined
  const host = loopback ?? (address.includes(':') ? '::1' : '127.0.0.1')
  return `http://${host.includes(':') ? `[${host}]` : host}:${req.socket.localPort ?? 80}`
}
