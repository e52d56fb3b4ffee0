import { cancelPrediction, createPrediction, getPrediction, type EndpointClient } from './api'
import { ApiError, ConnectionError, PredictionStreamError } from './errors'
import { isTerminalStatus, type Prediction } from './prediction'
import { backoffDelay, isRetryableStatus, type RetryPolicy } from './retry'
import { openEventStream } from './sse'
import type { Action } from './state'
import type { PredictionStreamSnapshot, Timers } from './types'

/** What a run needs from the stream that owns it. */
export interface RunContext {
  client: EndpointClient
  retry: RetryPolicy
  timers: Timers
  now: () => number
  /** No bytes (comments included) for this long means a dead connection: reconnect. */
  stallTimeoutMs: number
  /** First and longest wait between two polls, in ms. */
  pollIntervalMs: readonly [number, number]
  dispatch: (action: Action) => void
  getState: () => PredictionStreamSnapshot
}

/**
 * One `start()` or `attach()`: creates or reads the prediction, follows its stream, reconnects,
 * falls back to polling, and cancels. Stopping it (a new run, `disconnect()`, `cancel()`)
 * aborts every request, clears every timer and listener, and silences every callback still in
 * flight, so nothing of an old run can touch the state of a new one.
 */
export class PredictionRun {
  readonly #ctx: RunContext
  readonly #controller = new AbortController()
  /** Event ids already applied: a reconnect without a known id replays from the start. */
  readonly #seenIds = new Set<string>()
  readonly #timers = new Map<unknown, () => void>()
  readonly #cleanups = new Set<() => void>()
  /** A valid server `retry:` (ms), used as the floor of the backoff. */
  #serverRetryMs = 0
  #cancelRequested = false

  constructor(ctx: RunContext) {
    this.#ctx = ctx
  }

  /** `false` once stopped: every continuation checks this before touching state. */
  get active(): boolean {
    return !this.#controller.signal.aborted
  }

  /** Timers and listeners this run still holds (0 after `stop()`). */
  get pending(): number {
    return this.#timers.size + this.#cleanups.size
  }

  /** Aborts requests, clears timers and listeners. Idempotent. */
  stop(): void {
    this.#controller.abort()
    for (const [handle, wake] of this.#timers) {
      this.#ctx.timers.clearTimeout(handle)
      wake()
    }
    this.#timers.clear()
    for (const cleanup of this.#cleanups) cleanup()
    this.#cleanups.clear()
  }

  async create(body: { model?: string; version?: string; input: Record<string, unknown> }) {
    const prediction = await this.#createWithRetry(body)
    if (!prediction || !this.active) return
    this.#dispatch({ type: 'prediction-received', prediction, at: this.#ctx.now() })
    // cancel() during the create: the prediction exists now and is billing, so cancel it.
    if (this.#cancelRequested) return this.#cancelOnServer(prediction.id)
    await this.#follow(prediction)
  }

  async attach(predictionId: string) {
    let prediction: Prediction
    try {
      prediction = await getPrediction(this.#ctx.client, predictionId, this.#controller.signal)
    } catch (error) {
      if (this.active) this.#fail(error, 'failed')
      return
    }
    if (!this.active) return
    this.#dispatch({ type: 'prediction-received', prediction, at: this.#ctx.now() })
    await this.#follow(prediction)
  }

  /** Cancels on the server; while the create is in flight, as soon as the prediction exists. */
  async cancel(): Promise<void> {
    this.#cancelRequested = true
    const id = this.#ctx.getState().prediction?.id
    if (id) await this.#cancelOnServer(id)
  }

  /**
   * Creating is not idempotent: it is retried only when the server certainly did not create a
   * prediction, i.e. 429, and 503 with `Retry-After` (design.md rule 5). A network error may
   * have happened after the server created one, so it is final.
   */
  async #createWithRetry(body: Parameters<typeof createPrediction>[1]) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await createPrediction(this.#ctx.client, body, this.#controller.signal)
      } catch (error) {
        if (!this.active) return undefined
        const refusedBeforeCreating =
          error instanceof ApiError &&
          (error.status === 429 || (error.status === 503 && error.retryAfterMs !== undefined))
        if (!refusedBeforeCreating || attempt >= this.#ctx.retry.maxAttempts) {
          this.#fail(error, 'failed')
          return undefined
        }
        const delay = backoffDelay(attempt, this.#ctx.retry, error.retryAfterMs ?? 0)
        if (!(await this.#sleep(delay))) return undefined
      }
    }
  }

  async #follow(prediction: Prediction): Promise<void> {
    if (isTerminalStatus(prediction.status)) return this.#close()
    const url = prediction.urls.stream
    // Models that cannot stream have no urls.stream: poll instead (replicate-protocol E-11).
    if (!url) return this.#poll()
    let failures = 0
    let failingSince = 0
    for (;;) {
      await this.#whileOffline()
      if (!this.active) return
      const failure = await this.#connectOnce(url)
      if (!this.active) return
      if (isTerminalStatus(this.#ctx.getState().status)) return this.#close()
      // Events flowed since the last failure (the reducer resets `attempt` on each): the
      // budget counts consecutive failures only.
      if (this.#ctx.getState().attempt === 0) failures = 0
      if (failures === 0) failingSince = this.#ctx.now()
      // A stream that ends without `done` is never success (replicate-javascript#367).
      const error =
        failure ?? new ConnectionError('The stream ended before done', { retryable: true })
      const { maxAttempts, maxElapsedMs } = this.#ctx.retry
      if (
        !isRetryable(error) ||
        failures >= maxAttempts ||
        this.#ctx.now() - failingSince >= maxElapsedMs
      ) {
        return this.#reconcile(error)
      }
      const floor = Math.max(this.#serverRetryMs, retryAfterOf(error))
      const delay = backoffDelay(failures, this.#ctx.retry, floor)
      failures += 1
      this.#dispatch({ type: 'connection-changed', connection: 'reconnecting', attempt: failures })
      if (!(await this.#sleep(delay))) return
      this.#dispatch({ type: 'connection-changed', connection: 'connecting' })
    }
  }

  /** One connection attempt; resolves with its failure, or undefined when it ended cleanly. */
  async #connectOnce(url: string): Promise<unknown> {
    const attempt = new AbortController()
    const abortAttempt = () => attempt.abort()
    this.#controller.signal.addEventListener('abort', abortAttempt, { once: true })
    let stalled = false
    let watchdog: unknown
    const arm = () => {
      if (watchdog !== undefined) this.#clearTimer(watchdog)
      watchdog = this.#setTimer(() => {
        stalled = true
        attempt.abort()
      }, this.#ctx.stallTimeoutMs)
    }
    arm()
    try {
      await openEventStream({
        url,
        fetch: this.#ctx.client.fetch,
        lastEventId: this.#ctx.getState().lastEventId,
        signal: attempt.signal,
        onOpen: () => {
          if (this.active) {
            this.#dispatch({ type: 'connection-changed', connection: 'open', transport: 'stream' })
          }
        },
        onBytes: arm,
        onEvent: (event) => this.#receive(event),
        onRetry: (ms) => {
          this.#serverRetryMs = ms
        },
      })
      return stalled ? stallError(this.#ctx.stallTimeoutMs) : undefined
    } catch (error) {
      return stalled ? stallError(this.#ctx.stallTimeoutMs) : error
    } finally {
      if (watchdog !== undefined) this.#clearTimer(watchdog)
      this.#controller.signal.removeEventListener('abort', abortAttempt)
    }
  }

  #receive(message: { event?: string | undefined; id?: string | undefined; data: string }): void {
    if (!this.active) return
    // eventsource-parser leaves `id` undefined when the event had no id line. An id with NUL
    // is ignored (WHATWG HTML §9.2.6).
    const id = message.id !== undefined && !message.id.includes('\0') ? message.id : undefined
    if (id) {
      // The server replays from the first event when it does not know our Last-Event-ID:
      // an event already applied must not be applied twice (replicate-protocol E-4).
      if (this.#seenIds.has(id)) return
      this.#seenIds.add(id)
    }
    this.#dispatch({
      type: 'event-received',
      event: { event: message.event, id, data: message.data },
      at: this.#ctx.now(),
    })
    // `done` does not close Replicate's stream (its idle timeout does): close it ourselves.
    if (isTerminalStatus(this.#ctx.getState().status)) this.#close()
  }

  /**
   * The stream cannot be (re)opened: read the prediction itself. A finished prediction ends
   * with its full output; one still running is followed by polling, so the final text is right
   * even when the stream never comes back.
   */
  async #reconcile(streamError: unknown): Promise<void> {
    const id = this.#ctx.getState().prediction?.id
    if (!id) return this.#fail(streamError)
    return this.#poll(streamError)
  }

  /**
   * Polls `GET {endpoint}/{id}` with a growing interval, delivering new `output` items as deltas
   * (Replicate's clients do the same: new items are `output[len(previous):]`), until a
   * terminal status, `aborted` included.
   */
  async #poll(streamError?: unknown): Promise<void> {
    const id = this.#ctx.getState().prediction?.id
    if (!id) return
    const [firstInterval, maxInterval] = this.#ctx.pollIntervalMs
    let interval = firstInterval
    let failures = 0
    for (;;) {
      let prediction: Prediction
      try {
        prediction = await getPrediction(this.#ctx.client, id, this.#controller.signal)
      } catch (error) {
        if (!this.active) return
        failures += 1
        if (!isRetryable(error) || failures > this.#ctx.retry.maxAttempts) {
          return this.#fail(streamError ?? error)
        }
        this.#dispatch({
          type: 'connection-changed',
          connection: 'reconnecting',
          attempt: failures,
        })
        const delay = backoffDelay(failures - 1, this.#ctx.retry, retryAfterOf(error))
        if (!(await this.#sleep(delay))) return
        continue
      }
      if (!this.active) return
      failures = 0
      this.#applyPolled(prediction)
      if (isTerminalStatus(this.#ctx.getState().status)) return this.#close()
      this.#dispatch({
        type: 'connection-changed',
        connection: 'open',
        attempt: 0,
        transport: 'polling',
      })
      if (!(await this.#sleep(interval))) return
      interval = Math.min(maxInterval, Math.round(interval * 1.5))
    }
  }

  #applyPolled(prediction: Prediction): void {
    const received = this.#ctx.getState().output.length
    if (Array.isArray(prediction.output)) {
      for (const item of prediction.output.slice(received)) {
        if (typeof item !== 'string') break
        const event = { event: 'output', id: undefined, data: item }
        this.#dispatch({ type: 'event-received', event, at: this.#ctx.now() })
      }
    }
    this.#dispatch({ type: 'prediction-received', prediction, at: this.#ctx.now() })
  }

  async #cancelOnServer(id: string): Promise<void> {
    // Stop streaming first, so no event arriving during the cancel request is applied; the
    // cancel request itself runs outside the run's signal.
    this.stop()
    try {
      const prediction = await cancelPrediction(this.#ctx.client, id)
      this.#ctx.dispatch({ type: 'prediction-received', prediction, at: this.#ctx.now() })
    } catch (error) {
      this.#ctx.dispatch({ type: 'error-raised', error: toStreamError(error), at: this.#ctx.now() })
    }
    this.#ctx.dispatch({ type: 'connection-changed', connection: 'closed', attempt: 0 })
  }

  /** Waits while the browser says it is offline, instead of burning retries on a dead network. */
  async #whileOffline(): Promise<void> {
    const scope = globalThis as {
      navigator?: { onLine?: boolean }
      addEventListener?: (type: string, listener: () => void) => void
      removeEventListener?: (type: string, listener: () => void) => void
    }
    if (scope.navigator?.onLine !== false || typeof scope.addEventListener !== 'function') return
    await new Promise<void>((resolve) => {
      const done = () => {
        scope.removeEventListener?.('online', done)
        this.#cleanups.delete(done)
        resolve()
      }
      this.#cleanups.add(done)
      scope.addEventListener?.('online', done)
    })
  }

  #fail(error: unknown, status?: 'failed'): void {
    this.#dispatch({
      type: 'error-raised',
      error: toStreamError(error),
      status,
      at: this.#ctx.now(),
    })
    this.#close()
  }

  #close(): void {
    this.stop()
    this.#ctx.dispatch({ type: 'connection-changed', connection: 'closed', attempt: 0 })
  }

  #dispatch(action: Action): void {
    if (this.active) this.#ctx.dispatch(action)
  }

  /** Resolves `true` after `ms`, or `false` as soon as the run stops. */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.#setTimer(
        () => resolve(this.active),
        ms,
        () => resolve(false),
      )
    })
  }

  #setTimer(callback: () => void, ms: number, onCancel: () => void = () => {}): unknown {
    const handle: unknown = this.#ctx.timers.setTimeout(() => {
      this.#timers.delete(handle)
      callback()
    }, ms)
    this.#timers.set(handle, onCancel)
    return handle
  }

  #clearTimer(handle: unknown): void {
    if (!this.#timers.delete(handle)) return
    this.#ctx.timers.clearTimeout(handle)
  }
}

function stallError(ms: number): ConnectionError {
  return new ConnectionError(`No bytes for ${ms} ms: the connection stalled`, { retryable: true })
}

function retryAfterOf(error: unknown): number {
  const ms = error instanceof ApiError || error instanceof ConnectionError ? error.retryAfterMs : 0
  return ms ?? 0
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError) return error.retryable
  if (error instanceof ApiError) {
    return isRetryableStatus(error.status)
  }
  return false
}

function toStreamError(error: unknown): PredictionStreamError {
  if (error instanceof PredictionStreamError) return error
  return new ConnectionError(error instanceof Error ? error.message : String(error), {
    retryable: false,
    cause: error,
  })
}
