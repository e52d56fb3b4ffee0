// The options a PredictionStream is created with (the snapshot's types are in types.ts).

/** Timer functions, injectable so tests and non-browser hosts control time. */
export interface Timers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown
  /** Cancels the timer `handle` (a no-op for one that already ran). */
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
   * A connection that delivers no event for this long, in ms, while it keeps sending comments or
   * other keep-alive bytes, is given up and the prediction is read with `GET` instead (and
   * polled while it runs): liveness is not progress. Generous by default, because a model that
   * boots from cold sends nothing for minutes (Replicate itself closes a silent stream after
   * 30 s, which the client just reconnects).
   * @defaultValue 300000
   */
  eventTimeoutMs?: number
  /**
   * Largest event the stream accepts, in characters (its data, and any line not yet ended). A
   * larger one fails the connection with a `ProtocolError`, and the prediction is read with
   * `GET` instead, so a broken or hostile server cannot grow memory without bound.
   * @defaultValue 16777216 (16 Mi characters)
   */
  maxEventSize?: number
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
   * Remember the running prediction (id, urls, its `output` items, text and last event ID) under
   * a key, written at most once per second, so that after a reload `resume()` shows the text at
   * once and reopens the stream from that last event ID instead of creating a new prediction.
   * Made by `resumeAfterReload({ key })`.
   * @defaultValue off
   */
  resume?: Resume
  /**
   * What the output items are: `'text'` (deltas concatenated into `text`, as language models
   * stream), `'items'` (kept in `output` only, as image iterators stream file URLs), or `'auto'`:
   * `'items'` when the prediction streams on a `/v1/files/` URL (Replicate's path for file
   * outputs), `'text'` on `/v1/streams/`, and for a prediction without a stream URL, `'items'`
   * when its first item is a whole URL or `data:` URI.
   * @defaultValue `'auto'`
   */
  outputKind?: 'auto' | 'text' | 'items'
  /**
   * Tabs of one origin following the same prediction share one stream connection (see
   * `tabSharing()` for how). `false` gives each stream its own connection; `tabSharing(coordination)`
   * replaces the browser's locks and channels. Where there is no document, no Web Locks or no
   * BroadcastChannel (Node, older browsers), each stream has its own connection anyway.
   * @defaultValue `tabSharing()`
   */
  shareAcrossTabs?: false | TabSharing
  /**
   * Called when the last user declared with `retain()` has released the stream and it has
   * disconnected: the moment a cache of streams (such as {@link PredictionStreamRegistry}) can
   * forget it.
   * @defaultValue none
   */
  onRelease?: () => void
}

/**
 * The `resume` option's value, made by `resumeAfterReload(options)`. Opaque: what it does is
 * internal, which lets the stream skip its code entirely when the option is not used.
 */
export interface Resume {
  /** Tells this value apart from other options' values. */
  readonly kind: 'resume'
}

/**
 * The `shareAcrossTabs` option's value, made by `tabSharing(coordination?)`. Opaque, like
 * {@link Resume}.
 */
export interface TabSharing {
  /** Tells this value apart from other options' values. */
  readonly kind: 'tab-sharing'
}

/** The part of the Web Storage API a resume store needs; `sessionStorage` by default. */
export interface ResumeStorage {
  /** The value stored under `key`, or `null`. */
  getItem(key: string): string | null
  /** Stores `value` under `key`; may throw (a full quota), which is ignored. */
  setItem(key: string, value: string): void
  /** Forgets `key`. */
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
