import type { PredictionStreamError } from './errors'
import type { Prediction, PredictionStatus } from './prediction'

/**
 * Where the prediction is: `idle` before `start()`, then Replicate's own status values.
 *
 * `starting` is reported from the moment `start()` is called, while the create request is in
 * flight (`prediction` is still `null` then). A create request that fails ends `failed` with an
 * {@link ApiError} and no prediction.
 */
export type StreamStatus = 'idle' | PredictionStatus

/**
 * Where the server-sent event connection is. Independent of {@link StreamStatus}: a reconnect
 * never makes the prediction look failed (docs/design.md, "State: two axes").
 *
 * - `idle`: nothing requested yet.
 * - `connecting`: creating the prediction or opening the stream.
 * - `open`: the stream answered 200 `text/event-stream` and events are flowing.
 * - `reconnecting`: the stream dropped before `done`; waiting to resume with `Last-Event-ID`.
 * - `closed`: finished, canceled, disconnected or given up.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/**
 * An immutable snapshot of one prediction stream. A new object is created for every change and
 * the same object is returned while nothing changes, as `useSyncExternalStore` requires.
 */
export interface PredictionStreamSnapshot {
  /** See {@link StreamStatus}. */
  readonly status: StreamStatus
  /** See {@link ConnectionState}. */
  readonly connection: ConnectionState
  /**
   * The concatenated `output` events, verbatim: nothing is trimmed, `"\n"` and `" word"` are real
   * tokens (Replicate streaming docs: each `output` event is one yielded item, a delta).
   */
  readonly text: string
  /** Every `output` event's data in order, one item per event (for models that yield files). */
  readonly output: readonly string[]
  /** The concatenated `logs` events. Never mixed into `text`. */
  readonly logs: string
  /**
   * Why the stream stopped short: an {@link ApiError} from the endpoint, a
   * {@link PredictionFailedError} with the server's `detail`, or a {@link ConnectionError}. `null`
   * otherwise. Whatever text had arrived is kept.
   */
  readonly error: PredictionStreamError | null
  /** The last prediction object the endpoint returned (create, get or cancel), or `null`. */
  readonly prediction: Prediction | null
  /**
   * The last event ID (WHATWG HTML §9.2.6): the `id` of the last dispatched event that had one.
   * Sent as `Last-Event-ID` when the stream reconnects. `null` before any.
   */
  readonly lastEventId: string | null
  /** Reconnection attempts made for the current stream since events last flowed; 0 when healthy. */
  readonly attempt: number
  /**
   * How the prediction is being followed: its server-sent event stream, or polling `GET` when
   * it has no `urls.stream` or the stream cannot be kept open. `null` before anything is followed.
   */
  readonly transport: Transport | null
  /** Timing and connection counts of the current run. */
  readonly metrics: PredictionStreamMetrics
}

/**
 * How a prediction is followed: its server-sent event stream, or polling `GET {endpoint}/{id}`.
 */
export type Transport = 'stream' | 'polling'

/** Timing of one run (`start()` or `attach()`), from the injected clock (ms since the epoch). */
export interface PredictionStreamMetrics {
  /** When `start()`/`attach()` was called, or `null` before. */
  readonly startedAt: number | null
  /** When the first `output` event arrived. */
  readonly firstOutputAt: number | null
  /** When the latest `output` event arrived. */
  readonly lastOutputAt: number | null
  /** When a terminal status was reached. */
  readonly completedAt: number | null
  /** `firstOutputAt − startedAt` in ms (time to first token), or `null`. */
  readonly timeToFirstOutputMs: number | null
  /** `output` events per second between the first and the latest, or `null` before two. */
  readonly outputEventsPerSecond: number | null
  /** `output` events applied. */
  readonly outputEvents: number
  /** Times the stream was reconnected (each `reconnecting`). */
  readonly reconnects: number
}

/** Timer functions, injectable so tests and non-browser hosts control time. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/**
 * How the stream retries: one policy for every retried request (a refused create, a dropped
 * stream, a failed poll), following docs/design.md rule 5.
 */
export interface RetryOptions {
  /**
   * Retries in a row after a failure, before giving up: a dropped stream is then read with `GET`
   * instead, a refused create or a failed poll ends the run with its error.
   * @defaultValue 5
   */
  maxAttempts?: number
  /**
   * First backoff ceiling in ms; attempt `n` waits a random time up to
   * `min(maxDelayMs, baseDelayMs · 2ⁿ)` (exponential backoff with full jitter).
   * @defaultValue 500
   */
  baseDelayMs?: number
  /**
   * Ceiling of any single backoff in ms.
   * @defaultValue 10000
   */
  maxDelayMs?: number
  /**
   * Longest a series of consecutive failures may last, in ms, before giving up as with
   * `maxAttempts`.
   * @defaultValue 60000
   */
  maxElapsedMs?: number
}

/**
 * Options of {@link PredictionStream}.
 *
 * All of them are read once, when the stream is created, except `fetch` and `headers`, which
 * are called per request (pass a function that reads your latest value to change them later).
 * The React hook creates a new stream when `endpoint`, `model`, `version` or `deployment`
 * changes, and reads its `fetch`, `headers` and callbacks at the moment they are used.
 */
export interface PredictionStreamOptions {
  /**
   * URL of your prediction endpoint: the route served by `createPredictionHandler` from
   * `react-prediction-stream/server` (for example `"/api/predictions"`). `POST {endpoint}` creates,
   * `GET {endpoint}/{id}` reads and `POST {endpoint}/{id}/cancel` cancels. Must be absolute where
   * there is no `location` to resolve it against (Node).
   */
  endpoint: string
  /**
   * `owner/name` of the model `start()` runs, e.g. `"meta/meta-llama-3-8b-instruct"`. Set exactly
   * one of `model`, `version` and `deployment` to use `start()`; none is needed to `attach()` to
   * an existing prediction.
   * @defaultValue none
   */
  model?: string
  /**
   * A version id (or `owner/name:version`) `start()` runs. At most one of `model`, `version` and
   * `deployment`.
   * @defaultValue none
   */
  version?: string
  /**
   * `owner/name` of a Replicate deployment `start()` runs
   * (https://replicate.com/docs/topics/deployments). At most one of `model`, `version` and
   * `deployment`.
   * @defaultValue none
   */
  deployment?: string
  /**
   * The `fetch` used for every request (the endpoint and the stream).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch
  /**
   * Extra headers for requests to your endpoint (for example your app's own auth). Called per
   * request when a function, so a refreshed token is picked up. Never sent to `urls.stream`,
   * which is a capability URL on another origin that needs none.
   * @defaultValue none
   */
  headers?: HeadersInit | (() => HeadersInit)
  /**
   * Retry policy of every request of a run (create, stream, poll).
   * @defaultValue see {@link RetryOptions}
   */
  retry?: RetryOptions
  /**
   * Timer functions. Every timer of the stream goes through them: backoff waits, polling, the
   * stall watchdog and the deferred disconnect of `retain()`.
   * @defaultValue `globalThis.setTimeout` / `globalThis.clearTimeout`
   */
  timers?: Timers
  /**
   * The clock for `metrics`, in ms since the epoch.
   * @defaultValue `Date.now`
   */
  now?: () => number
  /**
   * A connection that delivers no bytes at all (comments included) for this long, in ms, is
   * treated as dead and reconnected. Replicate's stream writes a `:408` frame and closes after
   * 30 s of silence, so a live connection is never silent longer than that.
   * @defaultValue 45000
   */
  stallTimeoutMs?: number
  /**
   * First wait between two polls, in ms, when the prediction is followed by polling (no
   * `urls.stream`, or a stream that cannot be kept open). Grows by half each poll.
   * @defaultValue 500
   */
  pollIntervalMs?: number
  /**
   * Longest wait between two polls, in ms.
   * @defaultValue 5000
   */
  maxPollIntervalMs?: number
  /**
   * Remember the running prediction (id, urls, last event ID) under a key, so that after a
   * reload `resume()` re-attaches to it instead of creating a new one.
   * @defaultValue off
   */
  resume?: ResumeOptions
  /**
   * Called when the last user declared with `retain()` has released the stream and it has
   * disconnected: the moment a cache of streams (such as {@link PredictionStreamRegistry}) can
   * forget it.
   * @defaultValue none
   */
  onRelease?: () => void
}

/** The part of the Web Storage API a resume store needs; `sessionStorage` by default. */
export interface ResumeStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** The `resume` option: where to remember the running prediction across a reload. */
export interface ResumeOptions {
  /** Names this stream across reloads (for example the chat thread's id). */
  key: string
  /**
   * Where to keep it.
   * @defaultValue `globalThis.sessionStorage` (nothing is kept where there is none)
   */
  storage?: ResumeStorage
}

/** What a snapshot subscriber needs of a store: the `useSyncExternalStore` contract. */
export interface SnapshotSource {
  subscribe(listener: () => void): () => void
  getSnapshot(): PredictionStreamSnapshot
}
