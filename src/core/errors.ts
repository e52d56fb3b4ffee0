/**
 * Errors raised or surfaced by react-prediction-stream. Every error the library produces is a
 * {@link PredictionStreamError}; narrow with `instanceof` or with the `code` discriminant.
 */

/** Discriminant of the concrete error classes. */
export type PredictionStreamErrorCode =
  'api_error' | 'prediction_failed' | 'connection_error' | 'protocol_error' | 'invalid_options'

/** Base class of every error this library raises or stores in a snapshot. */
export class PredictionStreamError extends Error {
  override name = 'PredictionStreamError'
  readonly code: PredictionStreamErrorCode

  constructor(code: PredictionStreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** One entry of a 422 `invalid_fields` list (Replicate's input validation errors). */
export interface InvalidField {
  type: string
  field: string
  description: string
}

/**
 * The prediction endpoint (or Replicate's API behind it) answered with an HTTP error.
 *
 * Carries the RFC 7807 problem fields Replicate sends: `status`, `title`, `detail` and, on 422,
 * `invalidFields` (docs/replicate-protocol.md §1.3).
 */
export class ApiError extends PredictionStreamError {
  override name = 'ApiError'
  /** HTTP status code. */
  readonly status: number
  /** The problem's `title`, when the body had one. */
  readonly title: string | undefined
  /** The problem's `detail`, or the raw body text when it was not problem JSON. */
  readonly detail: string
  /** Replicate's `invalid_fields` on 422 input validation errors; otherwise empty. */
  readonly invalidFields: readonly InvalidField[]
  /** The parsed JSON body, or the raw text when it was not JSON. */
  readonly body: unknown
  /** Milliseconds from a `Retry-After` header (seconds or HTTP date), when it had a valid one. */
  readonly retryAfterMs: number | undefined

  constructor(init: {
    status: number
    url: string
    body: unknown
    retryAfterMs?: number | undefined
  }) {
    const problem = asProblem(init.body)
    const detail = problem.detail ?? (typeof init.body === 'string' ? init.body : '')
    super(
      'api_error',
      `Request to ${init.url} failed with status ${init.status}${detail ? `: ${detail}` : ''}`,
    )
    this.status = init.status
    this.title = problem.title
    this.detail = detail
    this.invalidFields = problem.invalidFields
    this.body = init.body
    this.retryAfterMs = init.retryAfterMs
  }
}

/**
 * The prediction itself failed: the stream sent `event: error`, or the prediction was read
 * with `status: "failed"`. `detail` is the server's message (Replicate streaming docs:
 * `event: error` carries `{"detail": "…"}`).
 */
export class PredictionFailedError extends PredictionStreamError {
  override name = 'PredictionFailedError'
  /** The server's failure message. */
  readonly detail: string

  constructor(detail: string) {
    super('prediction_failed', `Prediction failed: ${detail}`)
    this.detail = detail
  }
}

/**
 * The event stream could not be opened or kept open: a network error, a non-2xx or non-SSE
 * response on the stream URL, or a stream that ended before `done` more often than the retry
 * budget allows.
 */
export class ConnectionError extends PredictionStreamError {
  override name = 'ConnectionError'
  /** HTTP status of the stream response, when there was one. */
  readonly status: number | undefined
  /**
   * Whether reconnecting may help: network errors, 408, 429, 5xx and streams that end before
   * `done` are retryable; 204, other 4xx and a wrong content type are final
   * (WHATWG HTML §9.2.3 "fail the connection", with 408/429/5xx retried as docs/design.md rule 5).
   */
  readonly retryable: boolean
  /** Milliseconds the server asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterMs: number | undefined

  constructor(
    message: string,
    options: {
      retryable: boolean
      cause?: unknown
      status?: number | undefined
      retryAfterMs?: number | undefined
    },
  ) {
    super('connection_error', message, { cause: options.cause })
    this.status = options.status
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
  }
}

/** The server sent something the Replicate protocol does not allow (e.g. a non-JSON prediction). */
export class ProtocolError extends PredictionStreamError {
  override name = 'ProtocolError'

  constructor(message: string, options?: { cause?: unknown }) {
    super('protocol_error', message, options)
  }
}

/** Options passed to a constructor or function were invalid. Raised synchronously. */
export class InvalidOptionsError extends PredictionStreamError {
  override name = 'InvalidOptionsError'

  constructor(message: string) {
    super('invalid_options', message)
  }
}

/** Any failure as a {@link PredictionStreamError}: ours as they are, anything else wrapped. */
export function toStreamError(error: unknown): PredictionStreamError {
  if (error instanceof PredictionStreamError) return error
  return new ConnectionError(error instanceof Error ? error.message : String(error), {
    retryable: false,
    cause: error,
  })
}

function asProblem(body: unknown): {
  title: string | undefined
  detail: string | undefined
  invalidFields: InvalidField[]
} {
  if (typeof body !== 'object' || body === null) {
    return { title: undefined, detail: undefined, invalidFields: [] }
  }
  const record = body as Record<string, unknown>
  const invalid = Array.isArray(record.invalid_fields) ? record.invalid_fields : []
  return {
    title: typeof record.title === 'string' ? record.title : undefined,
    detail: typeof record.detail === 'string' ? record.detail : undefined,
    invalidFields: invalid.filter(
      (field): field is InvalidField => typeof field === 'object' && field !== null,
    ),
  }
}
