/**
 * The Vite plugin that mounts the local Replicate-compatible server, with the library's route
 * handler in front of it, into Vite's own server: a Vite app streams with no token, no network
 * and no other process.
 */
import type { Plugin, PreviewServer, ViteDevServer } from 'vite'
import { createReplicateApp } from '../testing/app'
import { resolveOptions, type ReplicateServerOptions } from '../testing/options'

/** Options of {@link localReplicateServer}: the local server's own, plus where to mount it. */
export interface LocalReplicateServerOptions extends ReplicateServerOptions {
  /**
   * Also mount it in `vite preview`, so a production build can be tried against it. Never part
   * of the build itself: `vite build` output contains none of it.
   *
   * @defaultValue `true`
   */
  preview?: boolean
}

/**
 * A Vite plugin that serves, on the dev server's own origin:
 *
 * - `predictionsEndpoint` (default `/api/predictions`): `createPredictionHandler`, the route
 *   `usePredictionStream({ endpoint: '/api/predictions' })` calls, in front of
 * - `/v1/...`: the local Replicate-compatible API, whose models replay outputs recorded from
 *   Replicate, token by token, on same-origin `/v1/streams/...` URLs.
 *
 * Every other path goes on to Vite. The server is the one of `react-prediction-stream/testing`
 * (see `createReplicateApp` for what it serves, and `ReplicateServerOptions` for the options);
 * it lives as long as the Vite server and is closed with it.
 *
 * @example
 * ```ts
 * // vite.config.ts
 * import react from '@vitejs/plugin-react'
 * import { defineConfig } from 'vite'
 * import { localReplicateServer } from 'react-prediction-stream/vite'
 *
 * export default defineConfig({ plugins: [react(), localReplicateServer()] })
 * ```
 * @throws InvalidOptionsError at once, when the config is loaded, for invalid options.
 */
export function localReplicateServer(options: LocalReplicateServerOptions = {}): Plugin {
  const { preview = true, ...serverOptions } = options
  // Fail while the config loads, not on the first request.
  resolveOptions(serverOptions)

  function mount(server: ViteDevServer | PreviewServer): void {
    const app = createReplicateApp(serverOptions)
    server.middlewares.use((req, res, next) => app.handle(req, res, next))
    // Ends open streams and prediction timers, so stopping Vite never waits on them.
    server.httpServer?.once('close', () => void app.close())
  }

  return {
    name: 'react-prediction-stream:local-replicate-server',
    configureServer: mount,
    ...(preview ? { configurePreviewServer: mount } : {}),
  }
}
