/**
 * `toNodeListener`: mounts a Web-standard handler on Node's `http` server, Express or Connect.
 * No runtime import of `node:*` modules, so the `/server` entry still loads in Workers and Deno.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { PredictionHandler, PredictionHandlerContext } from './create-prediction-handler'
import type { HandedBody } from './request/request-body'

/** A Node/Express/Connect request listener; `next` is accepted and never needed. */
export type NodeListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void

/**
 * Hop-by-hop headers describe one connection, not the message (RFC 9110 §7.6.1): Node frames
 * the response itself, so copying a `Transfer-Encoding` would corrupt the body.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
])

/** A `Host` that is a plain `host[:port]` (or `[v6]:port`); anything else is not put in URLs. */
const HOST = /^[\w.-]+(:\d{1,5})?$|^\[[\da-f:.]+\](:\d{1,5})?$/i

/**
 * Wraps `handler` as a Node request listener. The request URL is built from the socket (TLS or
 * not), the `Host` header and `req.originalUrl ?? req.url` (Express and Connect strip a mount
 * prefix from `req.url`). The body streams to the handler with back-pressure; when middleware
 * already read it and left the result on `req.body` (`express.json()`, `express.text()`), that is
 * handed in instead. The handler's `request.signal` aborts when the client disconnects, and the
 * response streams back, every `Set-Cookie` kept separate.
 *
 * @example
 * ```ts
 * // Express
 * app.use('/api/predictions', toNodeListener(createPredictionHandler({ allowedModels: ['meta/meta-llama-3-8b-instruct'] })))
 * ```
 */
export function toNodeListener(handler: PredictionHandler): NodeListener {
  return (req, res, next) => {
    serve(handler, req, res).catch((error: unknown) => {
      if (next && !res.headersSent) next(error)
      else res.destroy(error instanceof Error ? error : undefined)
    })
  }
}

async function serve(
  handler: PredictionHandler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const controller = new AbortController()
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort()
  }
  res.once('close', onClose)
  const { request, context } = toRequest(req, controller.signal)
  const response = await handler(request, context)
  await writeWebResponse(response, res)
}

function toRequest(
  req: IncomingMessage,
  signal: AbortSignal,
): { request: Request; context: PredictionHandlerContext | undefined } {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!
    // HTTP/2 pseudo-headers (`:authority`, …) are not valid header names for `Headers`.
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1]!)
  }
  const method = req.method ?? 'GET'
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal }
  let context: PredictionHandlerContext | undefined
  if (method !== 'GET' && method !== 'HEAD') {
    const parsed = (req as { body?: unknown }).body
    if (req.readableDidRead && parsed !== undefined) {
      context = { body: parsed as HandedBody }
    } else {
      init.body = bodyStream(req)
      // Required by fetch's Request for a streamed body.
      init.duplex = 'half'
    }
  }
  return { request: new Request(urlOf(req), init), context }
}

function urlOf(req: IncomingMessage): string {
  const encrypted = 'encrypted' in req.socket && Boolean(req.socket.encrypted)
  const host = req.headers.host ?? req.headers[':authority']
  let authority: string
  if (typeof host === 'string' && HOST.test(host)) authority = host
  else {
    const address = req.socket.localAddress ?? '127.0.0.1'
    authority = `${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort ?? 80}`
  }
  const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
  return `${encrypted ? 'https' : 'http'}://${authority}${path.startsWith('/') ? path : '/'}`
}

/** The request body as a Web stream, pausing the socket while the reader is not keeping up. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (!open) return
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if ((controller.desiredSize ?? 1) <= 0) req.pause()
      })
      req.once('end', () => {
        if (open) controller.close()
        open = false
      })
      req.once('error', (error) => {
        if (open) controller.error(error)
        open = false
      })
    },
    pull() {
      req.resume()
    },
    cancel() {
      // The handler stopped reading (a body over its cap): let the rest drain unread.
      open = false
      req.resume()
    },
  })
}

/**
 * Writes `response` to `res`: status, headers (every `Set-Cookie` separately) and the body as it
 * streams, respecting back-pressure. If the client disconnects, the body stream is canceled; if
 * the body fails midway, the response is cut off (its status line is already sent). Resolves
 * once the response has been written or abandoned. The local server's node adapter uses it too.
 */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  for (const [name, value] of response.headers) {
    if (HOP_BY_HOP.has(name) || name === 'set-cookie') continue
    res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('Set-Cookie', cookies)
  res.writeHead(response.status, response.statusText || undefined)
  if (!response.body || res.req.method === 'HEAD') {
    await response.body?.cancel()
    res.end()
    return
  }
  const reader = response.body.getReader()
  const onClose = (): void => void reader.cancel().catch(() => {})
  res.once('close', onClose)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (res.destroyed) return
      if (!res.write(value)) await drained(res)
    }
    res.end()
  } catch {
    // The body failed midway; the status line is already sent, so all we can do is cut it off.
    res.destroy()
  } finally {
    res.off('close', onClose)
  }
}

/** Resolves on `drain`, or on `close` when the client is gone and no drain will come. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
