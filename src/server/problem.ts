/**
 * Response builders shared by the route handler. Every response it sends goes through here, so
 * `Cache-Control: no-store` cannot be forgotten on one path: predictions are per-user and
 * change every second, and a CDN or framework cache must never serve one to someone else.
 */

/** Media type of the prediction JSON the handler answers with. */
export const JSON_TYPE = 'application/json; charset=utf-8'

/** Media type of RFC 7807 errors, as Replicate sends them (docs/replicate-protocol.md §1.3). */
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8'

/**
 * An RFC 7807 problem response `{ title, detail, status }`, the same shape Replicate's own
 * errors have, so the browser parses the handler's errors and Replicate's with one code path.
 */
export function problem(
  status: number,
  title: string,
  detail: string,
  headers?: Record<string, string>,
): Response {
  return new Response(JSON.stringify({ title, detail, status }), {
    status,
    headers: { ...headers, 'Content-Type': PROBLEM_TYPE, 'Cache-Control': 'no-store' },
  })
}

/** A response whose body is already-serialized JSON text (passed through from upstream). */
export function jsonText(
  status: number,
  text: string,
  contentType: string,
  headers?: Record<string, string>,
): Response {
  return new Response(text, {
    status,
    headers: { ...headers, 'Content-Type': contentType, 'Cache-Control': 'no-store' },
  })
}
