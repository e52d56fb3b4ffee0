/**
 * The prediction object the browser sees, built field by field from upstream's: the reference
 * in place of Replicate's id, route URLs in place of the API's, `urls.stream` as it is (a
 * capability URL the browser must open directly, docs/replicate-protocol.md §2.2), and nothing
 * else unless the app allows it. Building instead of echoing means no upstream field reaches
 * the browser by accident (`urls.web`, `webhook`, `version`, `input`) and no text needs redacting.
 */
import { isObject } from '../request/create-request'

/** Replicate's prediction statuses (docs/replicate-protocol.md §3.1). */
const STATUSES = new Set(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted'])
const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'aborted'])

/** A prediction as the handler returns it to the browser (Replicate's shape, fewer fields). */
export interface HandlerPrediction {
  /** The signed reference to the prediction (not Replicate's id); use it in `{endpoint}/{id}`. */
  id: string
  /** `starting`, `processing`, `succeeded`, `failed`, `canceled` or `aborted`. */
  status: string
  /** `null` until the model yields; for language models an array of token strings. */
  output: unknown
  /** The failure message when `failed`, else `null`. */
  error: string | null
  /** The model's log text; only with `exposeLogs: true`. */
  logs?: string | null
  /** The input the prediction ran with (after `prepareInput`); only with `exposeInput: true`. */
  input?: Record<string, unknown>
  /** Where to read, cancel and stream it: this route's URLs, and Replicate's stream URL. */
  urls: {
    /** `{endpoint}/{reference}` on this route. */
    get: string
    /** `{endpoint}/{reference}/cancel` on this route. */
    cancel: string
    /** Replicate's server-sent event stream; absent for models that cannot stream. */
    stream?: string
  }
  /** When it was created (ISO 8601), as upstream sent it. */
  created_at?: string
  /** When the model started (ISO 8601); absent or `null` until then. */
  started_at?: string | null
  /** When it ended (ISO 8601); absent or `null` until then. */
  completed_at?: string | null
  /** When the prediction is canceled at the latest (from `maxRunTimeMs`). */
  deadline?: string
  /** `true` once Replicate purged the input and output (about an hour after API predictions). */
  data_removed?: boolean
  /** `predict_time` and `total_time` in seconds, on ended predictions. */
  metrics?: Record<string, number>
}

/** What to copy beyond the always-copied fields. */
export interface ExposeSettings {
  logs: boolean
  input: boolean
}

/**
 * The browser's prediction from upstream `body`, or `undefined` when `body` is not a
 * prediction (no known status): the handler answers 502 then.
 *
 * @param routeUrl - Absolute URL of `{endpoint}/{reference}`.
 */
export function browserPrediction(
  body: Record<string, unknown>,
  reference: string,
  routeUrl: string,
  expose: ExposeSettings,
): HandlerPrediction | undefined {
  const { status } = body
  if (typeof status !== 'string' || !STATUSES.has(status)) return undefined
  const urls: HandlerPrediction['urls'] = { get: routeUrl, cancel: `${routeUrl}/cancel` }
  const stream = isObject(body.urls) ? body.urls.stream : undefined
  if (typeof stream === 'string' && /^https?:$/.test(safeProtocol(stream))) urls.stream = stream
  const prediction: HandlerPrediction = {
    id: reference,
    status,
    output: body.output ?? null,
    error: typeof body.error === 'string' ? body.error : null,
    urls,
  }
  if (expose.logs && (typeof body.logs === 'string' || body.logs === null)) {
    prediction.logs = body.logs
  }
  if (expose.input && isObject(body.input)) prediction.input = body.input
  for (const field of ['created_at', 'deadline'] as const) {
    if (typeof body[field] === 'string') prediction[field] = body[field]
  }
  for (const field of ['started_at', 'completed_at'] as const) {
    const value = body[field]
    if (typeof value === 'string' || value === null) prediction[field] = value
  }
  if (typeof body.data_removed === 'boolean') prediction.data_removed = body.data_removed
  if (isObject(body.metrics)) {
    const metrics: Record<string, number> = {}
    for (const [name, value] of Object.entries(body.metrics)) {
      if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value
    }
    prediction.metrics = metrics
  }
  return prediction
}

/** `true` for a status after which the prediction never changes. */
export function isTerminal(status: unknown): boolean {
  return typeof status === 'string' && TERMINAL.has(status)
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol
  } catch {
    return ''
  }
}
