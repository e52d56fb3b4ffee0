import { ConnectionError, InvalidOptionsError, PredictionStreamError } from '../errors'
import { isTerminalStatus, type PredictionStatus } from '../prediction'
import { PredictionStream } from '../prediction-stream'
import type { PredictionStreamMetrics, PredictionStreamOptions } from '../types'

/** How an answer ended. */
export interface AnswerEnd {
  status: PredictionStatus
  /** The text received, verbatim. */
  content: string
  error: PredictionStreamError | null
  metrics: PredictionStreamMetrics
}

/** What an answer run reports to its chat: a few times per answer, never per token. */
export interface AnswerReports {
  /** The prediction exists now (its id), or the model started (`processing`). */
  onProgress(change: { predictionId?: string; status?: 'processing' }): void
  /** The answer ended; called once, unless the run was disconnected first. */
  onEnd(end: AnswerEnd): void
}

/**
 * One answer: one {@link PredictionStream}, created (`start`) or followed (`attach`), whose
 * snapshots are boiled down to the few changes a thread records. The stream itself is what
 * renders the answer while it streams (`<StreamingText stream>`), so the thread does not change
 * per token.
 */
export class AnswerRun {
  readonly stream: PredictionStream
  readonly #reports: AnswerReports
  #done = false
  #canceling = false
  #run: Promise<void> = Promise.resolve()

  constructor(options: PredictionStreamOptions, reports: AnswerReports) {
    this.stream = new PredictionStream(options)
    this.#reports = reports
    let before = this.stream.getSnapshot()
    const unsubscribe = this.stream.subscribe(() => {
      const next = this.stream.getSnapshot()
      const previous = before
      before = next
      if (this.#done) return unsubscribe()
      const id = next.prediction?.id
      if (id && id !== previous.prediction?.id) this.#reports.onProgress({ predictionId: id })
      if (next.status === 'processing' && previous.status !== 'processing') {
        this.#reports.onProgress({ status: 'processing' })
      }
      if (isTerminalStatus(next.status)) {
        unsubscribe()
        this.#end(next.status, next.error)
      }
    })
  }

  /** Creates the answer's prediction with `input` (one create request). */
  start(input: Record<string, unknown>): void {
    this.#follow(this.stream.start(input))
  }

  /** Follows an answer's existing prediction: replayed from its first event, nothing created. */
  attach(predictionId: string): void {
    this.#follow(this.stream.attach(predictionId))
  }

  /**
   * Cancels the prediction on the server; the answer ends `canceled`, keeping its text. Resolves
   * once the cancel request has been answered (after the create, when it was still in flight).
   */
  async cancel(): Promise<void> {
    this.#canceling = true
    await Promise.all([this.stream.cancel(), this.#run])
    const { status, error } = this.stream.getSnapshot()
    this.#end(isTerminalStatus(status) ? status : 'canceled', error)
  }

  /** Stops following, without canceling: no report follows. */
  disconnect(): void {
    this.#done = true
    this.stream.disconnect()
  }

  /**
   * A run that ends without a terminal status (it gave up following, or `start` refused its
   * options) still ends the answer, as failed: a chat must never be left waiting.
   */
  #follow(run: Promise<void>): void {
    this.#run = run.then(
      () => {
        // Canceling stops the run before the cancel request is answered: cancel() ends it.
        if (!this.#canceling) {
          this.#end('failed', this.stream.getSnapshot().error ?? stoppedFollowing())
        }
      },
      (error: unknown) => this.#end('failed', asStreamError(error)),
    )
  }

  #end(status: PredictionStatus, error: PredictionStreamError | null): void {
    if (this.#done) return
    this.#done = true
    const snapshot = this.stream.getSnapshot()
    this.#reports.onEnd({
      status: isTerminalStatus(snapshot.status) ? snapshot.status : status,
      content: snapshot.text,
      error: snapshot.error ?? error,
      metrics: snapshot.metrics,
    })
  }
}

function stoppedFollowing(): ConnectionError {
  return new ConnectionError('Stopped following the prediction before it ended', {
    retryable: true,
  })
}

function asStreamError(error: unknown): PredictionStreamError {
  if (error instanceof PredictionStreamError) return error
  return new InvalidOptionsError(error instanceof Error ? error.message : String(error))
}
