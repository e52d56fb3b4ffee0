import type { EndpointClient } from './api'
import { InvalidOptionsError } from './errors'
import { isTerminalStatus } from './prediction'
import { PredictionRun } from './prediction-run'
import { ResumeStore } from './resume-store'
import { defaultRetryPolicy, type RetryPolicy } from './retry'
import { initialSnapshot, reduce, type Action } from './state'
import type { Listener, PredictionStreamOptions, PredictionStreamSnapshot, Timers } from './types'

/** How often, at most, a changed last event ID is written to the resume store (ms). */
const RESUME_WRITE_INTERVAL_MS = 1000

/**
 * The lifecycle of one prediction at a time, framework-free: create it through your endpoint,
 * follow its server-sent events, reconnect with `Last-Event-ID` when the stream drops, and
 * publish immutable snapshots.
 *
 * React users get this through `usePredictionStream`; anything else can `subscribe` and read
 * `getSnapshot()` directly (the `useSyncExternalStore` contract).
 *
 * @example
 * ```ts
 * const stream = new PredictionStream({ endpoint: '/api/predictions', model: 'meta/meta-llama-3-8b-instruct' })
 * stream.subscribe(() => console.log(stream.getSnapshot().text))
 * stream.start({ prompt: 'Write a haiku about llamas' })
 * ```
 *
 * @throws {@link InvalidOptionsError} from the constructor when `endpoint` is missing or
 * relative without a `location` to resolve it, or when both `model` and `version` are set;
 * `start()` rejects with it when neither is set (only `attach()` works without them).
 */
export class PredictionStream {
  #state: PredictionStreamSnapshot = initialSnapshot
  #listeners = new Set<Listener>()
  #run: PredictionRun | null = null
  #users = 0
  #releaseTimer: unknown = undefined
  #resumeWrittenAt = -Infinity
  readonly #client: EndpointClient
  readonly #target: { model: string } | { version: string } | undefined
  readonly #retry: RetryPolicy
  readonly #timers: Timers
  readonly #now: () => number
  readonly #stallTimeoutMs: number
  readonly #pollIntervalMs: readonly [number, number]
  readonly #resume: ResumeStore | undefined

  constructor(options: PredictionStreamOptions) {
    validateOptions(options)
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
    const { headers } = options
    this.#client = {
      endpoint: options.endpoint,
      fetch: fetchImpl,
      headers: typeof headers === 'function' ? headers : () => headers,
    }
    this.#target = options.model
      ? { model: options.model }
      : options.version
        ? { version: options.version }
        : undefined
    this.#retry = { ...defaultRetryPolicy, ...options.retry }
    this.#timers = options.timers ?? {
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    }
    this.#now = options.now ?? Date.now
    this.#stallTimeoutMs = options.stallTimeoutMs ?? 45_000
    this.#pollIntervalMs = [options.pollIntervalMs ?? 500, options.maxPollIntervalMs ?? 5000]
    this.#resume = options.resume ? new ResumeStore(options.resume) : undefined
  }

  /** Calls `listener` after every snapshot change. Returns the function that unsubscribes. */
  subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** The current immutable snapshot; the same object until something changes. */
  getSnapshot = (): PredictionStreamSnapshot => this.#state

  /** The snapshot before any `start()`: what a server render shows. */
  getInitialSnapshot = (): PredictionStreamSnapshot => initialSnapshot

  /**
   * Creates a prediction with `input` (exactly one `POST` per call, retried only on 429 and on
   * 503 with `Retry-After`, when the server certainly created nothing) and follows it. A stream
   * already running is disconnected first (not canceled: it keeps running on the server).
   *
   * Never rejects for anything the network or server does: those failures land in the
   * snapshot's `error` (an `ApiError` when the create is refused, e.g. 422 with
   * `invalidFields`). Rejects with `InvalidOptionsError` for a programming error (no
   * `model`/`version` configured, or `input` not an object), before any request.
   */
  start = async (input: Record<string, unknown>): Promise<void> => {
    const target = this.#target
    if (!target) {
      throw new InvalidOptionsError('start() needs `model` or `version` in the options')
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new InvalidOptionsError('start(input) needs an input object, e.g. { prompt: "…" }')
    }
    await this.#begin().create({ ...target, input })
  }

  /**
   * Follows a prediction that already exists (created elsewhere, or by another tab): reads it
   * with `GET {endpoint}/{id}`, then streams it from its first event. Nothing is created.
   * Like {@link start}, it never rejects for network or server failures; a prediction that is
   * already terminal ends at once with its full output.
   */
  attach = async (predictionId: string): Promise<void> => {
    if (typeof predictionId !== 'string' || predictionId === '') {
      throw new InvalidOptionsError('attach() needs a prediction id')
    }
    await this.#begin().attach(predictionId)
  }

  /**
   * With the `resume` option: re-attaches to the prediction remembered under its key, if any,
   * instead of creating a new one (after a page reload, say). Replays it from its first event,
   * because the text shown before the reload is gone with the page. Resolves `true` when there
   * was one to resume. Does nothing while a run is active.
   */
  resume = async (): Promise<boolean> => {
    const stored = this.#resume?.read()
    if (!stored || this.#run?.active) return false
    await this.attach(stored.id)
    return true
  }

  /**
   * Declares one more user of this stream (a mounted component, say) and returns the function
   * that ends that use. When the last user leaves, the stream disconnects, but only after the
   * current task: React StrictMode unmounts and remounts effects back to back, and that must
   * neither drop nor reopen the connection. The prediction is never canceled by this.
   */
  retain = (): (() => void) => {
    this.#users += 1
    if (this.#releaseTimer !== undefined) {
      this.#timers.clearTimeout(this.#releaseTimer)
      this.#releaseTimer = undefined
    }
    let released = false
    return () => {
      if (released) return
      released = true
      this.#users -= 1
      if (this.#users > 0) return
      this.#releaseTimer = this.#timers.setTimeout(() => {
        this.#releaseTimer = undefined
        if (this.#users === 0) this.disconnect()
      }, 0)
    }
  }

  /**
   * Cancels the prediction on the server (`POST {endpoint}/{id}/cancel`) and closes the stream.
   * Called while the create is still in flight, it cancels as soon as the prediction exists.
   */
  cancel = async (): Promise<void> => {
    if (!this.#run || isTerminalStatus(this.#state.status)) return
    await this.#run.cancel()
  }

  /**
   * Closes the connection and stops following the prediction, which keeps running on the
   * server. No callback fires and no timer is left afterwards. Not an error: the snapshot keeps
   * its status and text.
   */
  disconnect = (): void => {
    const run = this.#run
    if (!run) return
    run.stop()
    this.#run = null
    this.#dispatch({ type: 'connection-changed', connection: 'closed' })
  }

  /** Timers and listeners still held by this stream: 0 when nothing is scheduled (for tests). */
  get pendingTimers(): number {
    return (this.#run?.pending ?? 0) + (this.#releaseTimer === undefined ? 0 : 1)
  }

  #begin(): PredictionRun {
    this.#run?.stop()
    const run: PredictionRun = new PredictionRun({
      client: this.#client,
      retry: this.#retry,
      timers: this.#timers,
      now: this.#now,
      stallTimeoutMs: this.#stallTimeoutMs,
      pollIntervalMs: this.#pollIntervalMs,
      // Only the current run may change the state: an old run's late answers are ignored.
      dispatch: (action) => {
        if (this.#run === run) this.#dispatch(action)
      },
      getState: () => this.#state,
    })
    this.#run = run
    this.#dispatch({ type: 'start-requested', at: this.#now() })
    return run
  }

  #dispatch(action: Action): void {
    const previous = this.#state
    const next = reduce(previous, action)
    if (next === previous) return
    this.#state = next
    this.#remember(previous, next)
    for (const listener of [...this.#listeners]) listener()
  }

  /** Keeps the resume store in step: written on create, throttled on new ids, cleared at the end. */
  #remember(previous: PredictionStreamSnapshot, next: PredictionStreamSnapshot): void {
    const store = this.#resume
    const prediction = next.prediction
    if (!store || !prediction) return
    if (isTerminalStatus(next.status)) {
      if (!isTerminalStatus(previous.status)) store.clear()
      return
    }
    const now = this.#now()
    const fresh = previous.prediction?.id !== prediction.id
    if (
      fresh ||
      (next.lastEventId !== previous.lastEventId &&
        now - this.#resumeWrittenAt >= RESUME_WRITE_INTERVAL_MS)
    ) {
      this.#resumeWrittenAt = now
      store.write({ id: prediction.id, urls: prediction.urls, lastEventId: next.lastEventId })
    }
  }
}

function validateOptions(options: PredictionStreamOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('PredictionStream needs an options object')
  }
  if (typeof options.endpoint !== 'string' || options.endpoint === '') {
    throw new InvalidOptionsError('`endpoint` must be the URL of your prediction endpoint')
  }
  const base = (globalThis as { location?: { href: string } }).location?.href
  try {
    new URL(options.endpoint, base)
  } catch {
    throw new InvalidOptionsError(
      `\`endpoint\` "${options.endpoint}" is not a valid URL${base ? '' : ' (outside a browser it must be absolute)'}`,
    )
  }
  const hasModel = typeof options.model === 'string' && options.model !== ''
  const hasVersion = typeof options.version === 'string' && options.version !== ''
  if (hasModel && hasVersion) {
    throw new InvalidOptionsError('Set only one of `model` ("owner/name") and `version`')
  }
  if (hasModel && !/^[^/\s]+\/[^/\s]+$/.test(options.model as string)) {
    throw new InvalidOptionsError(`\`model\` must look like "owner/name", got "${options.model}"`)
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new InvalidOptionsError('`fetch` must be a function')
  }
}
