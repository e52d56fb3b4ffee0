/**
 * A second route handler for the Chromium tests, mounted into Vitest's Vite server beside the
 * local server (vitest.config.ts): `/api/owned-predictions`, with an `authorize` that reads the
 * `X-Test-User` header, in front of the local server's `/v1` at the dev server's own listening
 * address. Mounted through `toNodeListener`, as an Express or Connect app would mount it.
 */
import type { IncomingMessage } from 'node:http'
import type { Plugin } from 'vite'
import { createPredictionHandler, toNodeListener, type NodeListener } from '../src/server/index'
import { LOCAL_API_TOKEN } from '../src/testing/index'
import { OWNED_ENDPOINT } from './owned-endpoint'

/** `http://{address}:{port}` of the socket a request arrived on: this server, never its `Host`. */
function ownOrigin(req: IncomingMessage): string {
  const address = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '')
  return `http://${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort}`
}

export function ownedPredictionRoute(): Plugin {
  return {
    name: 'react-prediction-stream:owned-prediction-route',
    configureServer(server) {
      let listener: NodeListener | undefined
      server.middlewares.use(OWNED_ENDPOINT, (req, res, next) => {
        listener ??= toNodeListener(
          createPredictionHandler({
            token: LOCAL_API_TOKEN,
            secret: crypto.randomUUID() + crypto.randomUUID(),
            baseUrl: `${ownOrigin(req)}/v1`,
            endpoint: OWNED_ENDPOINT,
            allowedModels: '*',
            authorize: (request) =>
              request.headers.get('x-test-user') ??
              Response.json(
                { title: 'Unauthorized', detail: 'Sign in first.', status: 401 },
                { status: 401, headers: { 'Content-Type': 'application/problem+json' } },
              ),
          }),
        )
        listener(req, res, next)
      })
    },
  }
}
