/**
 * One call to the upstream API (Replicate's, or the local server's): bearer token, the caller's
 * abort signal joined with a timeout, no redirects, and a reply read with a byte cap and parsed
 * with a nesting cap. Failures become {@link PredictionHandlerError}s for `onError`.
 */
import { mentionsToken } from '../environment'
import { PredictionHandlerError } from '../handler-error'
import { textTooDeep } from '../request/json-depth'
import { BodyTooLargeError, readCapped } from '../request/read-capped'

/** Where and how the handler calls upstream. */
export interface UpstreamSettings {
  /** API base URL without a trailing `/`, e.g. `https://api.replicate.com/v1`. */
  baseUrl: string
  fetch: typeof fetch
  timeoutMs: number
  maxBytes: number
}

/** What upstream answered: its status, its JSON body (`undefined` when not JSON), `Retry-After`. */
export interface UpstreamReply {
  status: number
  body: unknown
  retryAfter: string | undefined
}

/** The caller went away (its request signal aborted): nobody is left to answer or to log for. */
export class CallerGoneError extends Error {
  override name = 'CallerGoneError'
}

/** `Retry-After` as delay-seconds or an IMF-fixdate (RFC 9110 §10.2.3); anything else is dropped. */
const RETRY_AFTER = /^(\d{1,9}|[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)$/

/**
 * Calls `method baseUrl+path` with `body` as JSON.
 *
 * @throws PredictionHandlerError `upstream_unreachable`, `upstream_timeout`,
 *   `upstream_too_large`, or `upstream_invalid` (a success that is not JSON).
 * @throws CallerGoneError when `signal` aborted.
 */
export async function callUpstream(
  settings: UpstreamSettings,
  token: string,
  signal: AbortSignal,
  call: { method: 'GET' | 'POST'; path: string; body?: unknown; headers?: Record<string, string> },
): Promise<UpstreamReply> {
  const timeout = AbortSignal.timeout(settings.timeoutMs)
  const headers: Record<string, string> = {
    ...call.headers,
    Authorization: `Bearer ${token}`,
    Accept: 'application/json',
  }
  if (call.body !== undefined) headers['Content-Type'] = 'application/json'
  const what = `${call.method} ${call.path}`
  try {
    const response = await settings.fetch(settings.baseUrl + call.path, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.any([signal, timeout]),
      // A redirect would carry the token to wherever it points: refuse it.
      redirect: 'error',
      // Next.js App Router caches fetch() unless told not to (replicate-javascript#136).
      cache: 'no-store',
    })
    const text = await readCapped(
      response.body,
      response.headers.get('content-length'),
      settings.maxBytes,
    )
    const retryAfter = response.headers.get('retry-after')?.trim()
    return {
      status: response.status,
      body: parseJson(text),
      retryAfter: retryAfter && RETRY_AFTER.test(retryAfter) ? retryAfter : undefined,
    }
  } catch (error) {
    if (signal.aborted) throw new CallerGoneError('The caller aborted the request.')
    if (error instanceof BodyTooLargeError) {
      throw new PredictionHandlerError(
        'upstream_too_large',
        502,
        `The prediction API's reply to ${what} exceeds ${settings.maxBytes} bytes; it was refused.`,
      )
    }
    if (timeout.aborted) {
      throw new PredictionHandlerError(
        'upstream_timeout',
        504,
        `The prediction API did not answer ${what} within ${settings.timeoutMs} ms.`,
      )
    }
    throw new PredictionHandlerError(
      'upstream_unreachable',
      502,
      `The prediction API could not be reached for ${what}.`,
      safeCause(error, token),
    )
  }
}

/** Parsed JSON, or `undefined` for text that is not JSON or nests too deeply to handle. */
function parseJson(text: string): unknown {
  if (textTooDeep(text)) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `{ cause }` unless the error's text mentions the token (a custom `fetch` might echo it). */
function safeCause(error: unknown, token: string): { cause?: unknown } {
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)
  return mentionsToken(text, token) ? {} : { cause: error }
}
