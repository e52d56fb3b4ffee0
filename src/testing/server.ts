/**
 * The local Replicate-compatible server on its own `node:http` listener: for tests (port 0) and
 * the CLI.
 */
import { createServer } from 'node:http'
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
   * `${url}` + the mounted route handler's path (default `/api/predictions`): the `endpoint` for
   * `usePredictionStream`. Empty string when `predictionsEndpoint` is `null`.
   */
  readonly predictionsUrl: string
  /**
   * Stops timers, ends streams, closes every connection (keep-alive ones included, so test runs
   * never hang) and stops listening. Safe to call more than once.
   */
  close(): Promise<void>
}

/** Options of {@link startReplicateServer}. */
export interface StartReplicateServerOptions extends ReplicateServerOptions {
  /** TCP port; `0` (default) picks a free ephemeral port. */
  port?: number
  /** Interface to listen on. Default `'127.0.0.1'` (loopback only: the server has no real auth). */
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
  const { port = 0, host = '127.0.0.1', ...appOptions } = options
  const app = createReplicateApp(appOptions)
  const server = createServer((req, res) => app.handle(req, res))
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await app.close()
    throw error
  }
  const url = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}`
  const endpoint =
    appOptions.predictionsEndpoint === undefined
      ? '/api/predictions'
      : appOptions.predictionsEndpoint
  let closing: Promise<void> | undefined

  return {
    url,
    apiUrl: `${url}/v1`,
    predictionsUrl: endpoint === null ? '' : url + endpoint,
    handle: app.handle,
    setFail: app.setFail,
    get predictions() {
      return app.predictions
    },
    get openStreams() {
      return app.openStreams
    },
    close() {
      closing ??= (async () => {
        await app.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          // Keep-alive sockets (from fetch's connection pool, or a stream a client never read to
          // the end) would otherwise keep `close` waiting and the test process alive.
          server.closeAllConnections()
        })
      })()
      return closing
    },
  }
}
