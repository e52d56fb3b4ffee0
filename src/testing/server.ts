/**
 * The local Replicate-compatible server on its own `node:http` listeners, one for the API and one
 * for streams (distinct origins, as on Replicate): for tests (port 0) and the CLI.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createReplicateApp, type ReplicateApp } from './app'
import type { ReplicateServerOptions } from './options'

/** A listening {@link ReplicateApp}. */
export interface ReplicateServer extends ReplicateApp {
  /** Origin the server listens on, e.g. `'http://127.0.0.1:54321'` (no trailing slash). */
  readonly url: string
  /** Replicate API base URL, `${url}/v1`: pass it as `baseUrl` to Replicate clients. */
  readonly apiUrl: string
  /**
   * Origin of the stream listener, e.g. `'http://127.0.0.1:54322'`: another port on the same
   * host, so `urls.stream` is a different origin from `urls.get` exactly as on Replicate
   * (`api.replicate.com` vs `stream.replicate.com`) and a browser test exercises real CORS.
   * Prediction stream URLs use the host name the client used for the API with this port.
   */
  readonly streamUrl: string
  /**
   * `${url}` + the mounted route handler's path (`predictionsEndpoint`): the `endpoint` for
   * `usePredictionStream`. Empty string when `predictionsEndpoint` is `null`.
   */
  readonly predictionsUrl: string
  /**
   * Stops timers, ends streams, closes every connection of both listeners (keep-alive ones
   * included, so test runs never hang) and stops listening. Safe to call more than once.
   */
  close(): Promise<void>
}

/** Options of {@link startReplicateServer}. */
export interface StartReplicateServerOptions extends ReplicateServerOptions {
  /**
   * TCP port of the API; `0` picks a free ephemeral port.
   * @defaultValue `0`
   */
  port?: number
  /**
   * TCP port of the stream listener; `0` picks a free ephemeral port.
   * @defaultValue `0`
   */
  streamPort?: number
  /**
   * Interface to listen on: loopback only by default, since the server has no real auth.
   * @defaultValue `'127.0.0.1'`
   */
  host?: string
}

/** The host part of a URL for `host`: wildcards become loopback, IPv6 literals get brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/**
 * Starts {@link createReplicateApp} on a `node:http` server.
 *
 * @example
 * ```ts
 * const server = await startReplicateServer({ cadence: 'instant' })
 * const prediction = await fetch(`${server.apiUrl}/models/meta/meta-llama-3-8b-instruct/predictions`, {
 *   method: 'POST',
 *   headers: { Authorization: `Bearer ${LOCAL_API_TOKEN}` },
 *   body: JSON.stringify({ input: { prompt: 'Please write a haiku about llamas' } }),
 * }).then((response) => response.json())
 * await server.close()
 * ```
 * @throws InvalidOptionsError for invalid options; rejects with the `listen` error (e.g. `EADDRINUSE`).
 */
export async function startReplicateServer(
  options: StartReplicateServerOptions = {},
): Promise<ReplicateServer> {
  const { port = 0, streamPort = 0, host = '127.0.0.1', ...appOptions } = options
  let streamListenPort = 0
  const app = createReplicateApp({
    ...appOptions,
    // The host name the client used for the API (localhost stays localhost), the stream port.
    streamOrigin:
      appOptions.streamOrigin ??
      ((apiOrigin) => {
        const origin = new URL(apiOrigin)
        origin.port = String(streamListenPort)
        return origin.origin
      }),
  })
  const apiServer = createServer((req, res) => app.handleApi(req, res))
  const streamServer = createServer((req, res) => app.handleStream(req, res))
  try {
    await listen(streamServer, streamPort, host)
    streamListenPort = (streamServer.address() as AddressInfo).port
    await listen(apiServer, port, host)
  } catch (error) {
    await Promise.all([app.close(), shutDown(streamServer), shutDown(apiServer)])
    throw error
  }
  const url = `http://${urlHost(host)}:${(apiServer.address() as AddressInfo).port}`
  const streamUrl = `http://${urlHost(host)}:${streamListenPort}`
  const endpoint =
    appOptions.predictionsEndpoint === undefined
      ? '/api/predictions'
      : appOptions.predictionsEndpoint
  let closing: Promise<void> | undefined

  return {
    url,
    apiUrl: `${url}/v1`,
    streamUrl,
    predictionsUrl: endpoint === null ? '' : url + endpoint,
    handle: app.handle,
    handleApi: app.handleApi,
    handleStream: app.handleStream,
    faults: app.faults,
    cancel: app.cancel,
    seed: app.seed,
    get predictions() {
      return app.predictions
    },
    get requests() {
      return app.requests
    },
    get openStreams() {
      return app.openStreams
    },
    close() {
      closing ??= (async () => {
        await app.close()
        await Promise.all([shutDown(apiServer), shutDown(streamServer)])
      })()
      return closing
    },
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/**
 * Stops listening and closes every connection. Keep-alive sockets (from fetch's connection pool,
 * or a stream a client never read to the end) would otherwise keep `close` waiting and the test
 * process alive.
 */
function shutDown(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) {
      resolve()
      return
    }
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
