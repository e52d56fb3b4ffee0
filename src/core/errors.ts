/**
 * Errors raised or surfaced by react-prediction-stream. Every error the library produces is a
 * {@link PredictionStreamError}; narrow with `instanceof` or with the `code` discriminant.
 *
 * Two audiences, two fields: `message` is a short sentence fit to show the person using your
 * app ("The model could not be reached. Try again."), with no URL, status code or stack in it;
 * `developerMessage` and the typed fields (`status`, `url`, `detail`, `invalidFields`, `cause`)
 * keep everything a developer needs, the server's words included (docs/design.md rule 8).
 */

import { apiMessage, FAILED_MESSAGE, PROTOCOL_MESSAGE, UNREACHABLE } from './error-messages'

/** Discriminant of the concrete error classes. */
export type PredictionStreamErrorCode =
  'api_error' | 'prediction_failed' | 'connection_error' | 'protocol_error' | 'invalid_options'

/** Base class of every error this library raises or stores in a snapshot. */
export class PredictionStreamError extends Error {
  /** Always `'PredictionStreamError'`. */
  override name = 'PredictionStreamError'
  /** Which kind of error this is; the same as checking the class with `instanceof`. */
  readonly code: PredictionStreamErrorCode
  /**
   * What happened, for the developer: URLs, HTTP statuses and the server's words. Log this;
   * show `message` to people.
   */
  readonly developerMessage: string

  /**
   * @param code - the discriminant of the concrete class.
   * @param message - the sentence for end users.
   * @param options - `developerMessage` (defaults to `message`) and the `cause`.
   */
  constructor(
    code: PredictionStreamErrorCode,
    message: string,
    options?: { cause?: unknown; developerMessage?: string | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.developerMessage = options?.developerMessage ?? message
  }
}

/** One entry of a 422 `invalid_fields` list (Replicate's input validation errors). */
export interface InvalidField {
  /** The kind of check that failed, e.g. `required` or `number_lte`. */
  type: string
  /** The path of the field, e.g. `input` or `input.top_p`. */
  field: string
  /** What is wrong, in the server's words, e.g. `prompt is required`. */
  description: string
}

/**
 * The prediction endpoint (or Replicate's API behind it) answered with an HTTP error.
 *
 * `message` says what a person can do about it (a 422 names the rejected input: "This prompt was
 * rejected: prompt is required."); the RFC 7807 problem fields Replicate sends stay in `status`,
 * `title`, `detail` and, on 422, `invalidFields` (docs/replicate-protocol.md §1.3).
 */
export class ApiError extends PredictionStreamError {
  /** Always `'ApiError'`. */
  override name = 'ApiError'
  /** HTTP status code. */
  readonly status: number
  /** The URL that answered. */
  readonly url: string
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

  /**
   * @param init - the response: its `status`, the request's `url`, the parsed `body` (or its
   * text) and `retryAfterMs` parsed from `Retry-After`.
   */
  constructor(init: {
    status: number
    url: string
    body: unknown
    retryAfterMs?: number | undefined
  }) {
    const problem = asProblem(init.body)
    const detail = problem.detail ?? (typeof init.body === 'string' ? init.body : '')
    super('api_error', apiMessage(init.status, problem.invalidFields), {
      developerMessage: `Request to ${init.url} failed with status ${init.status}${detail ? `: ${detail}` : ''}`,
    })
    this.status = init.status
    this.url = init.url
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
  /** Always `'PredictionFailedError'`. */
  override name = 'PredictionFailedError'
  /** The server's failure message, e.g. `CUDA out of memory`. */
  readonly detail: string

  /** @param detail - the server's failure message. */
  constructor(detail: string) {
    super('prediction_failed', FAILED_MESSAGE, {
      developerMessage: `Prediction failed: ${detail}`,
    })
    this.detail = detail
  }
}

/**
 * The event stream (or the endpoint) could not be reached, opened or kept open: a network
 * error, a non-2xx or non-SSE response on the stream URL, or a stream that ended before `done`
 * more often than the retry budget allows.
 */
export class ConnectionError extends PredictionStreamError {
  /** Always `'ConnectionError'`. */
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

  /**
   * @param developerMessage - what failed, with the URL (becomes `developerMessage`; `message`
   * is always "The model could not be reached. Try again.").
   * @param options - whether it is `retryable`, the `cause`, the HTTP `status` and
   * `retryAfterMs`, when known.
   */
  constructor(
    developerMessage: string,
    options: {
      retryable: boolean
      cause?: unknown
      status?: number | undefined
      retryAfterMs?: number | undefined
    },
  ) {
    super('connection_error', UNREACHABLE, { cause: options.cause, developerMessage })
    this.status = options.status
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
  }
}

/** The server sent something the Replicate protocol does not allow (e.g. a non-JSON prediction). */
export class ProtocolError extends PredictionStreamError {
  /** Always `'ProtocolError'`. */
  override name = 'ProtocolError'

  /**
   * @param developerMessage - what was wrong with the answer (becomes `developerMessage`).
   * @param options - the `cause`, when there is one.
   */
  constructor(developerMessage: string, options?: { cause?: unknown }) {
    super('protocol_error', PROTOCOL_MESSAGE, {
      cause: options?.cause,
      developerMessage,
    })
  }
}

/**
 * Options passed to a constructor or function were invalid: a programming error, raised
 * synchronously (or as the rejection of `start()`/`attach()`) and never stored in a snapshot's
 * `error`, so it never reaches a person using the app. Its `message` is therefore written for
 * the developer who must fix the call, and equals `developerMessage`.
 */
export class InvalidOptionsError extends PredictionStreamError {
  /** Always `'InvalidOptionsError'`. */
  override name = 'InvalidOptionsError'

  /** @param message - what to change, e.g. ``"`endpoint` must be the URL of your prediction endpoint"``. */
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
