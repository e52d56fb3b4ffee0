/**
 * What the caller sees of a server-side failure: its status and a fixed sentence. The details
 * (which variable is missing, which host was unreachable) go to `onError` only.
 */
import type { PredictionHandlerError, PredictionHandlerErrorCode } from './handler-error'
import { problem } from './problem'

const PUBLIC: Record<PredictionHandlerErrorCode, [title: string, detail: string]> = {
  missing_token: ['Server misconfigured', 'The prediction API is not configured on this server.'],
  missing_secret: ['Server misconfigured', 'The prediction API is not configured on this server.'],
  body_already_read: ['Server misconfigured', 'The prediction route is not mounted correctly.'],
  internal: ['Internal error', 'The prediction route failed.'],
  limit_store_failed: ['Service unavailable', 'Limits cannot be checked right now; try again.'],
  upstream_unreachable: ['Bad gateway', 'The prediction API could not be reached.'],
  upstream_timeout: ['Gateway timeout', 'The prediction API did not answer in time.'],
  upstream_too_large: ['Bad gateway', 'The prediction API sent a reply too large to handle.'],
  upstream_invalid: ['Bad gateway', 'The prediction API sent a reply this server cannot use.'],
  upstream_refused: ['Prediction API error', 'The prediction API refused the request.'],
}

/** The problem response for `error`; 503s carry `Retry-After`, since waiting may help. */
export function failureResponse(error: PredictionHandlerError): Response {
  const [title, detail] = PUBLIC[error.code]
  const headers = error.status === 503 ? { 'Retry-After': '5' } : undefined
  return problem(error.status, title, detail, headers)
}
