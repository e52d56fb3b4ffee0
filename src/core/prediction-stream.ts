import { cancelPrediction, createPrediction, getPrediction, type EndpointClient } from './api'
import { ConnectionError, InvalidOptionsError, PredictionStreamError } from './errors'
import { isTerminalStatus, type Prediction } from './prediction'
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './retry'
import { openEventStream } from './sse'
import { initialSnapshot, reduce, type Action, type StreamEvent } from './state'
import type { Listener, PredictionStreamOptions, PredictionStreamSnapshot, Timers } from './types'

/** The per-`start()` handle: aborting it silences every callback that run still has in flight. */
interface Run {
  controller: AbortController
  /** Event ids already applied: a reconnect without a known id replays from the start. */
  seenIds: Set<string>
  /** A valid server `retry:` (ms), used as the floor of the backoff. */
  serverRetryMs: number
  cancelRequested: boolean
  timer: unknown
}

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
  #run: Run | null = null
  #users = 0
  #releaseTimer: unknown = undefined
  readonly #client: EndpointClient
  readonly #target: { model: string } | { version: string } | undefined
  readonly #retry: RetryPolicy
  readonly #timers: Timers

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
   * Creates a prediction with `input` (exactly one `POST` per call) and streams it. A stream
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
    this.#stopRun()
    const run = this.#newRun()
    this.#dispatch({ type: 'start-requested' })
    let prediction: Prediction
    try {
      prediction = await createPrediction(this.#client, { ...target, input }, run.controller.signal)
    } catch (error) {
      if (this.#isCurrent(run)) this.#fail(run, error, 'failed')
      return
    }
    if (!this.#isCurrent(run)) return
    this.#dispatch({ type: 'prediction-received', prediction })
    // cancel() during the create: the prediction exists now and is billing, so cancel it.
    if (run.cancelRequested) return this.#cancelOnServer(run, prediction.id)
    await this.#follow(run, prediction)
  }

  /**
   * Follows a prediction that already exists (created elsewhere, or by another tab): reads it
   * with `GET {endpoint}/{id}`, then streams it from its first event. Nothing is created.
   * Like {@link start}, it never rejects; a prediction that is already terminal ends at once
   * with its full output.
   */
  attach = async (predictionId: string): Promise<void> => {
    if (typeof predictionId !== 'string' || predictionId === '') {
      throw new InvalidOptionsError('attach() needs a prediction id')
    }
    this.#stopRun()
    const run = this.#newRun()
    this.#dispatch({ type: 'start-requested' })
    let prediction: Prediction
    try {
      prediction = await getPrediction(this.#client, predictionId, run.controller.signal)
    } catch (error) {
      if (this.#isCurrent(run)) this.#fail(run, error, 'failed')
      return
    }
    if (!this.#isCurrent(run)) return
    this.#dispatch({ type: 'prediction-received', prediction })
    await this.#follow(run, prediction)
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
    const run = this.#run
    if (!run || isTerminalStatus(this.#state.status)) return
    run.cancelRequested = true
    const id = this.#state.prediction?.id
    if (id) await this.#cancelOnServer(run, id)
  }

  /**
   * Closes the connection and stops following the prediction, which keeps running on the
   * server. No callback fires and no timer is left afterwards. Not an error: the snapshot keeps
   * its status and text.
   */
  disconnect = (): void => {
    if (!this.#run) return
    this.#stopRun()
    this.#dispatch({ type: 'connection-changed', connection: 'closed' })
  }

  #newRun(): Run {
    const run: Run = {
      controller: new AbortController(),
      seenIds: new Set(),
      serverRetryMs: 0,
      cancelRequested: false,
      timer: undefined,
    }
    this.#run = run
    return run
  }

  #stopRun(): void {
    const run = this.#run
    if (!run) return
    this.#run = null
    run.controller.abort()
    if (run.timer !== undefined) this.#timers.clearTimeout(run.timer)
  }

  #isCurrent(run: Run): boolean {
    return this.#run === run && !run.controller.signal.aborted
  }

  async #follow(run: Run, prediction: Prediction): Promise<void> {
    const url = prediction.urls.stream
    if (isTerminalStatus(prediction.status)) return this.#close(run)
    if (!url) {
      return this.#fail(
        run,
        new ConnectionError('The prediction has no urls.stream: its model cannot stream', {
          retryable: false,
        }),
      )
    }
    let failures = 0
    for (;;) {
      let failure: unknown
      try {
        await openEventStream({
          url,
          fetch: this.#client.fetch,
          lastEventId: this.#state.lastEventId,
          signal: run.controller.signal,
          onOpen: () => {
            if (this.#isCurrent(run))
              this.#dispatch({ type: 'connection-changed', connection: 'open' })
          },
          onEvent: (event) => this.#receive(run, event),
          onRetry: (ms) => {
            run.serverRetryMs = ms
          },
        })
      } catch (error) {
        failure = error
      }
      if (!this.#isCurrent(run)) return
      if (isTerminalStatus(this.#state.status)) return this.#close(run)
      // Events flowed since the last failure: the budget is for consecutive failures.
      if (this.#state.attempt === 0) failures = 0
      // A stream that ends without `done` is never success (replicate-javascript#367):
      // resume it with Last-Event-ID.
      const error =
        failure ?? new ConnectionError('The stream ended before done', { retryable: true })
      const retryable = error instanceof ConnectionError && error.retryable
      if (!retryable || failures >= this.#retry.maxAttempts) return this.#reconcile(run, error)
      const delay = backoffDelay(
        failures,
        this.#retry,
        Math.max(
          run.serverRetryMs,
          error instanceof ConnectionError ? (error.retryAfterMs ?? 0) : 0,
        ),
      )
      failures += 1
      this.#dispatch({ type: 'connection-changed', connection: 'reconnecting', attempt: failures })
      await new Promise<void>((resolve) => {
        run.timer = this.#timers.setTimeout(() => {
          run.timer = undefined
          resolve()
        }, delay)
      })
      if (!this.#isCurrent(run)) return
      this.#dispatch({ type: 'connection-changed', connection: 'connecting' })
    }
  }

  #receive(
    run: Run,
    message: { event?: string | undefined; id?: string | undefined; data: string },
  ): void {
    if (!this.#isCurrent(run)) return
    // eventsource-parser leaves `id` undefined when the event had no id line, and '' for `id:`.
    // An id with NUL is ignored (WHATWG §9.2.6).
    const id = message.id !== undefined && !message.id.includes('\0') ? message.id : undefined
    if (id) {
      // The server replays from the first event when it does not know our Last-Event-ID:
      // an event already applied must not be applied twice (replicate-protocol E-4).
      if (run.seenIds.has(id)) return
      run.seenIds.add(id)
    }
    const event: StreamEvent = { event: message.event, id, data: message.data }
    this.#dispatch({ type: 'event-received', event })
    if (isTerminalStatus(this.#state.status)) {
      // `done` does not close Replicate's stream (its idle timeout does): close it ourselves.
      this.#close(run)
    }
  }

  /**
   * The stream cannot be (re)opened: read the prediction itself, so a prediction that finished
   * while we were cut off still ends with its full output.
   */
  async #reconcile(run: Run, streamError: unknown): Promise<void> {
    const id = this.#state.prediction?.id
    if (id) {
      try {
        const prediction = await getPrediction(this.#client, id, run.controller.signal)
        if (!this.#isCurrent(run)) return
        this.#dispatch({ type: 'prediction-received', prediction })
        if (isTerminalStatus(prediction.status)) return this.#close(run)
      } catch {
        // The stream error below says more than a failed reconcile would.
      }
    }
    if (this.#isCurrent(run)) this.#fail(run, streamError)
  }

  async #cancelOnServer(run: Run, id: string): Promise<void> {
    // Stop streaming first, so no event arriving during the cancel request is applied.
    run.controller.abort()
    if (run.timer !== undefined) this.#timers.clearTimeout(run.timer)
    try {
      const prediction = await cancelPrediction(this.#client, id)
      if (this.#run !== run) return
      this.#dispatch({ type: 'prediction-received', prediction })
      this.#dispatch({ type: 'connection-changed', connection: 'closed' })
    } catch (error) {
      if (this.#run === run) {
        this.#dispatch({ type: 'error-raised', error: toStreamError(error) })
        this.#dispatch({ type: 'connection-changed', connection: 'closed' })
      }
    }
  }

  #fail(run: Run, error: unknown, status?: 'failed'): void {
    this.#dispatch({ type: 'error-raised', error: toStreamError(error), status })
    this.#close(run)
  }

  #close(run: Run): void {
    run.controller.abort()
    this.#dispatch({ type: 'connection-changed', connection: 'closed', attempt: 0 })
  }

  #dispatch(action: Action): void {
    const next = reduce(this.#state, action)
    if (next === this.#state) return
    this.#state = next
    for (const listener of [...this.#listeners]) listener()
  }
}

function toStreamError(error: unknown): PredictionStreamError {
  if (error instanceof PredictionStreamError) return error
  return new ConnectionError(error instanceof Error ? error.message : String(error), {
    retryable: false,
    cause: error,
  })
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
