import type { Plugin } from 'vite'
import { createReplicateApp, type ReplicateServerOptions } from '../src/testing/index'

/**
 * Mounts the Replicate-compatible local server (its `/v1` API, its streams and the library's
 * route handler at `/api/predictions`) into a Vite dev server: Storybook's `npm start` and
 * Vitest's browser mode. Pages reach it same-origin, with no token and no other process.
 */
export function localReplicateServer(options: ReplicateServerOptions = {}): Plugin {
  return {
    name: 'react-prediction-stream:local-replicate-server',
    configureServer(server) {
      const app = createReplicateApp(options)
      server.middlewares.use((req, res, next) => app.handle(req, res, next))
      server.httpServer?.once('close', () => void app.close())
    },
  }
}
