/**
 * Cross-site request checks. A web page on any origin can make a browser send a "simple" POST
 * (`text/plain`, form encodings) with no CORS preflight
 * (https://fetch.spec.whatwg.org/#cors-safelisted-request-header), and would otherwise spend
 * the token's owner's money; requiring `application/json` forces a preflight, and checking
 * `Origin` (https://www.rfc-editor.org/rfc/rfc6454#section-7) refuses the request outright.
 * Origins listed in `allowedOrigins` get CORS headers so their pages can call the route.
 */
import { problem } from '../problem'

/** The `Origin` of a request from a listed other origin, which needs CORS headers. */
export interface CrossOrigin {
  origin: string
}

/**
 * `undefined` for a same-origin request (or one without `Origin` that is not marked
 * cross-site by `Sec-Fetch-Site`), {@link CrossOrigin} for a listed origin, else a 403.
 *
 * The route's own origin is the request URL's; `https://` + the same host also counts when the
 * URL says `http:`, because TLS is often terminated by a proxy in front of the app.
 */
export function checkOrigin(
  request: Request,
  allowedOrigins: ReadonlySet<string>,
): CrossOrigin | Response | undefined {
  const origin = request.headers.get('origin')
  if (origin === null) {
    // Browsers send Origin on every cross-origin fetch and every POST; a cross-site request
    // without one is a navigation or an embed, never a call of this API.
    return request.headers.get('sec-fetch-site') === 'cross-site' ? forbidden() : undefined
  }
  // Browsers set Sec-Fetch-Site themselves (a page cannot forge it) from the page's origin and
  // the URL fetched (https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header): the surest
  // sign of a same-origin call where `request.url` does not name the host the browser used
  // (`next start` gives `http://localhost:{port}` whatever the Host; a proxy may rewrite Host).
  if (request.headers.get('sec-fetch-site') === 'same-origin') return undefined
  const own = new URL(request.url).origin
  if (origin === own || (own.startsWith('http://') && origin === `https://${own.slice(7)}`)) {
    return undefined
  }
  // `null` (sandboxed frames, file: pages) is never an allowed origin.
  if (origin !== 'null' && allowedOrigins.has(origin)) return { origin }
  return forbidden()
}

/**
 * 415 unless the request's media type is `application/json` (parameters such as `charset`
 * allowed). With `bodyless: true` a request without `Content-Type` passes too (cancel has no body).
 */
export function checkJsonType(request: Request, bodyless: boolean): Response | undefined {
  const type = request.headers.get('content-type')
  if (type === null && bodyless) return undefined
  const essence = (type ?? '').split(';')[0]!.trim().toLowerCase()
  if (essence === 'application/json') return undefined
  return problem(415, 'Unsupported media type', 'Send the request body as application/json.', {
    'Accept-Post': 'application/json',
  })
}

/** Headers that let a listed origin's page read a response (with cookies or credentials). */
export function corsHeaders(cross: CrossOrigin | undefined): Record<string, string> {
  if (!cross) return {}
  return {
    'Access-Control-Allow-Origin': cross.origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'Retry-After',
    Vary: 'Origin',
  }
}

/** The answer to a CORS preflight from a listed origin (https://fetch.spec.whatwg.org/#http-cors-protocol). */
export function preflight(request: Request, cross: CrossOrigin): Response {
  const requested = request.headers.get('access-control-request-headers') ?? ''
  // Echo the requested header names (the app's own auth headers) when they are plain tokens.
  const allowHeaders = /^[\w-]+(\s*,\s*[\w-]+)*$/.test(requested) ? requested : 'Content-Type'
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(cross),
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': allowHeaders,
      'Access-Control-Max-Age': '600',
      'Cache-Control': 'no-store',
    },
  })
}

function forbidden(): Response {
  return problem(403, 'Cross-site request refused', 'This origin may not call the prediction API.')
}
