/**
 * Replicate's prediction object and status values, as returned by `POST /v1/predictions`,
 * `GET /v1/predictions/{id}` and `POST /v1/predictions/{id}/cancel`.
 *
 * Source: Replicate's OpenAPI schema (`schemas_prediction_response`) and
 * https://replicate.com/docs/topics/predictions/lifecycle.
 */

/**
 * Where a prediction is in its lifecycle, exactly as Replicate reports it.
 *
 * `starting → processing → succeeded | failed | canceled`, or `aborted` when a `Cancel-After`
 * deadline passes before the model starts.
 */
export type PredictionStatus =
  'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted'

/** The statuses after which a prediction never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set([
  'succeeded',
  'failed',
  'canceled',
  'aborted',
])

/** `true` when `status` is `succeeded`, `failed`, `canceled` or `aborted`. */
export function isTerminalStatus(status: string): status is PredictionStatus {
  return TERMINAL_STATUSES.has(status as PredictionStatus)
}

/** `true` while the prediction can still change: `starting` or `processing`. */
export function isRunningStatus(status: string): status is 'starting' | 'processing' {
  return status === 'starting' || status === 'processing'
}

/** The `urls` of a prediction. `stream` is present only for models that can stream. */
export interface PredictionUrls {
  /** `GET` this (with the API token) to read the prediction. */
  get: string
  /** `POST` this (with the API token) to cancel the prediction. */
  cancel: string
  /** The prediction's page on replicate.com. Older responses lack it. */
  web?: string
  /**
   * The server-sent event stream of the prediction: a capability URL that needs no token
   * (Replicate streaming docs). Absent for models that cannot stream.
   */
  stream?: string
}

/** A Replicate prediction (OpenAPI `schemas_prediction_response`). */
export interface Prediction {
  /** 26 characters of `[a-z0-9]`. */
  id: string
  /** `owner/name` of the model. May differ from the model that was asked for. */
  model: string
  /** A 64-hex version id, `"hidden"`, or a deployment version such as `dp-…`. */
  version: string
  /** The input the prediction runs with. */
  input: Record<string, unknown>
  /**
   * `null` until the model yields; for iterator models an array with one item per `output`
   * event (token strings for language models).
   */
  output: unknown
  /** Accumulated log text. `""` at creation, `null` in some cancel responses. */
  logs?: string | null
  /** Failure message when `status` is `failed`, else `null`. */
  error: unknown
  status: PredictionStatus
  /** ISO 8601 timestamps. `started_at`/`completed_at` may be absent early on. */
  created_at: string
  started_at?: string | null
  completed_at?: string | null
  source?: 'web' | 'api'
  data_removed: boolean
  /** Set from the `Cancel-After` request header. */
  deadline?: string
  deployment?: string
  /** `predict_time` and `total_time` in seconds on terminal predictions. */
  metrics?: Record<string, number | undefined>
  urls: PredictionUrls
  webhook?: string
  webhook_events_filter?: string[]
}
