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
  /** The prediction's page: on replicate.com, or `/p/{id}` of the local server. Older responses lack it. */
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
  /** Where the prediction is in its lifecycle. */
  status: PredictionStatus
  /** When it was created (ISO 8601). */
  created_at: string
  /** When the model started (ISO 8601); absent or `null` until then. */
  started_at?: string | null
  /** When it reached a terminal status (ISO 8601); absent or `null` until then. */
  completed_at?: string | null
  /** `api` for predictions created through the API, `web` for the website's. */
  source?: 'web' | 'api'
  /** `true` once Replicate deleted the input and output (an hour after the end, for API ones). */
  data_removed: boolean
  /** Set from the `Cancel-After` request header. */
  deadline?: string
  /** `owner/name` of the deployment it ran on, when created through one. */
  deployment?: string
  /** `predict_time` and `total_time` in seconds on terminal predictions. */
  metrics?: Record<string, number | undefined>
  /** Where to read, cancel, stream and view it. */
  urls: PredictionUrls
  /** The webhook URL given at creation, echoed. */
  webhook?: string
  /** Which events the webhook receives (`start`, `output`, `logs`, `completed`), echoed. */
  webhook_events_filter?: string[]
}
