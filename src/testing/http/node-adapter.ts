/**
 * Bridges Node's `http` objects and the Fetch API's `Request`/`Response`, so a Web-standard route
 * handler (`(request: Request) => Promise<Response>`) can be mounted on a `node:http` server or in
 * a Connect-style dev server (Vite, Storybook). Bodies stream in both directions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { writeWebResponse } from '../../server/node-listener'

export { writeWebResponse }

/** A Web-standard request handler, as `createPredictionHandler` returns. */
export type FetchHandler = (request: Request) => Promise<Response>

/**
 * Builds a `Request` for `req`. `url` must be absolute. The body (for methods other than GET and
 * HEAD) is the live request stream, not a buffered copy. `signal` should abort when the client
 * goes away so the handler can stop its own upstream calls.
 */
export function toWebRequest(req: IncomingMessage, url: string, signal?: AbortSignal): Request {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!
    // HTTP/2 pseudo-headers (`:authority`, …) are not valid header names for `Headers`.
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1]!)
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal }
  if (hasBody) {
    // Node's web stream type and the DOM lib's differ only nominally.
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>
    // Required by Node's fetch for a streamed request body.
    init.duplex = 'half'
  }
  return new Request(url, init)
}

/**
 * Serves `req` with `handler`: converts the request, calls the handler and writes its response.
 * The handler's signal aborts when the client disconnects before the response is complete.
 * A handler that throws gets a 500 problem+json, so a bug never leaves the request hanging.
 */
export async function serveWithFetchHandler(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
): Promise<void> {
  const controller = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  let response: Response
  try {
    response = await handler(toWebRequest(req, url, controller.signal))
  } catch (error) {
    if (res.headersSent || res.destroyed) return
    const detail = error instanceof Error ? error.message : String(error)
    response = Response.json(
      { detail: `Route handler failed: ${detail}`, status: 500 },
      { status: 500, headers: { 'Content-Type': 'application/problem+json' } },
    )
  }
  await writeWebResponse(response, res)
}
