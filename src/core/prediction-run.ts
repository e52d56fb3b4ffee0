import type { CreatePredictionBody, EndpointClient } from './endpoint-client'
import { toStreamError } from './errors'
import { onPageWake, whenOnline } from './page-lifecycle'
import { isTerminalStatus, type Prediction } from './prediction'
import { isRefusedBeforeCreating, isRetryable, retryAfterOf, type RetryPolicy } from './retry'
import { retry, type AttemptContext, type RetryRequest } from './retryer'
import { RunScope } from './run-scope'
import { EventIntake } from './event-intake'
import type { Action } from './state'
import type { ConnectionState, Timers, Transport } from './types'
import { openWatchedStream } from './watched-stream'

/** What a run needs from the stream that owns it (resolved options, and where to report). */
export interface RunContext {
  client: EndpointClient
  retry: RetryPolicy
  timers: Timers
  now: () => number
  stallTimeoutMs: number
  eventTimeoutMs: number
  maxEventSize: number
  /** First and longest wait between two polls, in ms. */
  pollIntervalMs: readonly [number, number]
  /** Reports what happened; the run never reads the snapshot back. */
  dispatch: (action: Action) => void
  share?: (scope: RunScope, url: string, intake: EventIntake) => Promise<boolean>
}

/**
 * One `start()` or `attach()`: creates or reads the prediction, follows its stream, reconnects,
 * falls back to polling, and cancels. All three retried operations (create, stream, poll) go
 * through the one {@link retry} loop and policy. The run remembers what it needs to steer
 * (prediction id, last event ID, output count) itself and only *reports* to the snapshot.
 * Stopping it (a new run, `disconnect()`, `cancel()`) stops its {@link RunScope}: every request,
 * timer and listener is gone, and no late callback can touch the state of a new run.
 */
export class PredictionRun {
  readonly #ctx: RunContext
  readonly #scope: RunScope
  readonly #intake = new EventIntake()
  #predictionId: string | undefined
  /** A valid server `retry:` (ms): the floor of every backoff from then on. */
  #serverRetryMs = 0
  #cancelRequested = false

  constructor(ctx: RunContext) {
    this.#ctx = ctx
    this.#scope = new RunScope(ctx.timers)
    onPageWake(this.#scope, this.wake)
  }

  /** Back from a sleep: a backoff ends now, a connection silent through it is reopened. */
  readonly wake = (): void => this.#scope.wake()

  get active(): boolean {
    return this.#scope.active
  }

  /** Aborts requests, clears timers and listeners. Idempotent. */
  stop(): void {
    this.#scope.stop()
  }

  async create(body: CreatePredictionBody): Promise<void> {
    const outcome = await this.#retry({
      attempt: () => this.#ctx.client.create(body, this.#scope.signal),
      retryable: isRefusedBeforeCreating,
      onRetry: (failures) => this.#connection('connecting', failures),
    })
    if (!outcome) return
    if (!outcome.ok) return this.#fail(outcome.error, 'failed')
    const prediction = this.#received(outcome.value)
    // cancel() during the create: the prediction exists now and is billing, so cancel it.
    if (this.#cancelRequested) return this.#cancelOnServer(prediction.id)
    await this.#follow(prediction)
  }

  async attach(predictionId: string, restored?: { lastEventId: string; outputCount: number }) {
    if (restored) this.#intake.seed(restored.lastEventId, restored.outputCount)
    // Retried like every read (docs/design.md rule 5): a 429 must not end a resumed page's run.
    const outcome = await this.#retry({
      attempt: () => this.#ctx.client.get(predictionId, this.#scope.signal),
      retryable: isRetryable,
      onRetry: (failures) => this.#connection('connecting', failures),
    })
    if (!outcome) return
    if (!outcome.ok) return this.#fail(outcome.error, 'failed')
    await this.#follow(this.#received(outcome.value))
  }

  /** Cancels on the server; while the create is in flight, as soon as the prediction exists. */
  async cancel(): Promise<void> {
    this.#cancelRequested = true
    if (this.#predictionId) await this.#cancelOnServer(this.#predictionId)
  }

  #received(prediction: Prediction): Prediction {
    this.#predictionId = prediction.id
    this.#dispatch({ type: 'prediction-received', prediction, at: this.#ctx.now() })
    return prediction
  }

  async #follow(prediction: Prediction): Promise<void> {
    if (isTerminalStatus(prediction.status)) return this.#close()
    const url = prediction.urls.stream
    // Models that cannot stream have no urls.stream: poll instead (docs/replicate-protocol.md E-11).
    if (!url) return this.#poll()
    if (this.#ctx.share && !(await this.#ctx.share(this.#scope, url, this.#intake))) return
    const outcome = await this.#retry({
      attempt: (context) => this.#connect(url, context),
      retryable: isRetryable,
      beforeAttempt: () => whenOnline(this.#scope),
      onRetry: (failures) => this.#connection('reconnecting', failures),
    })
    // A stream that reaches `done` closes the run itself, so only a failure is left to handle.
    if (outcome && !outcome.ok) await this.#reconcile(outcome.error)
  }

  /** One connection, read to its end: a failure unless a terminal event closed the run. */
  async #connect(url: string, context: AttemptContext): Promise<void> {
    if (context.failures > 0) this.#connection('connecting')
    try {
      await openWatchedStream(this.#scope, {
        url,
        fetch: this.#ctx.client.fetch,
        lastEventId: this.#intake.lastEventId,
        stallTimeoutMs: this.#ctx.stallTimeoutMs,
        eventTimeoutMs: this.#ctx.eventTimeoutMs,
        now: this.#ctx.now,
        maxEventSize: this.#ctx.maxEventSize,
        onOpen: () => this.#connection('open', undefined, 'stream'),
        onEvent: (event) => {
          if (this.active && this.#intake.receive(event)) context.progress()
        },
        onLastEventId: (id) => {
          if (this.active) this.#intake.receiveLastEventId(id)
        },
        onChunkEnd: () => this.#flush(),
        onRetry: (ms) => {
          this.#serverRetryMs = ms
        },
      })
    } finally {
      // Whatever arrived before the connection ended is applied, never lost.
      this.#flush()
    }
  }

  /** Applies the chunk's events as one action: one snapshot and one notification per chunk. */
  #flush(): void {
    if (!this.active) return
    const events = this.#intake.take()
    if (events.length > 0) this.#dispatch({ type: 'events-received', events, at: this.#ctx.now() })
    if (this.#intake.ending) this.#close()
  }

  /**
   * The stream cannot be (re)opened: read the prediction itself. A finished prediction ends
   * with its full output; one still running is followed by polling, so the final text is right
   * even when the stream never comes back.
   */
  async #reconcile(streamError: unknown): Promise<void> {
    if (!this.#predictionId) return this.#fail(streamError)
    this.#dispatch({ type: 'stream-abandoned', error: toStreamError(streamError) })
    return this.#poll(streamError)
  }

  /**
   * Polls `GET {endpoint}/{id}` with a growing interval, delivering new `output` items as deltas
   * (Replicate's clients do the same: new items are `output[len(previous):]`), until a
   * terminal status, `aborted` included.
   */
  async #poll(streamError?: unknown): Promise<void> {
    const id = this.#predictionId
    if (!id) return
    const [firstInterval, maxInterval] = this.#ctx.pollIntervalMs
    let interval = firstInterval
    for (;;) {
      const outcome = await this.#retry({
        attempt: () => this.#ctx.client.get(id, this.#scope.signal),
        retryable: isRetryable,
        onRetry: (failures) => this.#connection('reconnecting', failures),
      })
      if (!outcome) return
      if (!outcome.ok) return this.#fail(streamError ?? outcome.error)
      this.#applyPolled(outcome.value)
      if (isTerminalStatus(outcome.value.status)) return this.#close()
      this.#connection('open', 0, 'polling')
      if (!(await this.#scope.sleep(interval, true))) return
      interval = Math.min(maxInterval, Math.round(interval * 1.5))
    }
  }

  #applyPolled(prediction: Prediction): void {
    const events = this.#intake.polledOutputs(prediction.output)
    if (events.length > 0) this.#dispatch({ type: 'events-received', events, at: this.#ctx.now() })
    this.#received(prediction)
  }

  async #cancelOnServer(id: string): Promise<void> {
    // Stop streaming first, so no event arriving during the cancel request is applied; the
    // cancel request itself runs outside the run's signal.
    this.stop()
    try {
      const prediction = await this.#ctx.client.cancel(id)
      this.#ctx.dispatch({ type: 'prediction-received', prediction, at: this.#ctx.now() })
    } catch (error) {
      this.#ctx.dispatch({ type: 'error-raised', error: toStreamError(error), at: this.#ctx.now() })
    }
    this.#ctx.dispatch({ type: 'connection-changed', connection: 'closed', attempt: 0 })
  }

  /** The run's one retry policy, with the floor every retried operation shares. */
  #retry<T>(
    request: Omit<RetryRequest<T>, 'scope' | 'policy' | 'now' | 'floorMs'>,
  ): ReturnType<typeof retry<T>> {
    return retry({
      ...request,
      scope: this.#scope,
      policy: this.#ctx.retry,
      now: this.#ctx.now,
      floorMs: (error) => Math.max(this.#serverRetryMs, retryAfterOf(error)),
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

  #connection(connection: ConnectionState, attempt?: number, transport?: Transport): void {
    const at = this.#ctx.now()
    this.#dispatch({ type: 'connection-changed', connection, attempt, transport, at })
  }

  #dispatch(action: Action): void {
    if (this.active) this.#ctx.dispatch(action)
  }
}
