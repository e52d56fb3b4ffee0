/**
 * What the handler reports to the app's `onError`: every failure that is the server's (or its
 * upstream's) fault rather than the caller's, so a 500, 502 or 504 always leaves a log line.
 */

/** Why the handler failed; see {@link PredictionHandlerError}. */
export type PredictionHandlerErrorCode =
  /** No Replicate API token: neither the `token` option nor `REPLICATE_API_TOKEN`. 500. */
  | 'missing_token'
  /** No usable secret: neither the `secret` option nor `PREDICTION_HANDLER_SECRET`, or too short. 500. */
  | 'missing_secret'
  /** The app read the request body itself and did not hand it in (`handler(request, { body })`). 500. */
  | 'body_already_read'
  /** `authorize`, `prepareInput` or the limit store threw, or the handler has a bug. 500 (503 for the store). */
  | 'internal'
  /** The limit store failed (Redis down): creates are refused rather than unlimited. 503. */
  | 'limit_store_failed'
  /** The upstream API could not be reached (DNS, refused, reset, TLS). 502. */
  | 'upstream_unreachable'
  /** The upstream API did not answer within `upstreamTimeoutMs`. 504. */
  | 'upstream_timeout'
  /** The upstream reply was larger than `maxUpstreamBytes`. 502. */
  | 'upstream_too_large'
  /** The upstream reply was not a prediction (not JSON, too deep, missing fields, wrong id). 502. */
  | 'upstream_invalid'
  /** Upstream refused the token or the account: HTTP 401, 402 or 403, passed on to the caller. */
  | 'upstream_refused'

/**
 * A server-side failure of the route handler, given to `onError`. Its message never contains the
 * API token; `cause` is the underlying error when it is safe to show (it is dropped when its text
 * mentions the token).
 */
export class PredictionHandlerError extends Error {
  /** Always `'PredictionHandlerError'`. */
  override name = 'PredictionHandlerError'
  /** What failed. */
  readonly code: PredictionHandlerErrorCode
  /** HTTP status of the response the caller got. */
  readonly status: number

  constructor(
    code: PredictionHandlerErrorCode,
    status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.code = code
    this.status = status
  }
}
