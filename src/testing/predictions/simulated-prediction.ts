/**
 * One simulated prediction stepping on the server's shared timers (`step-timers.ts`): its state,
 * the events it has published (retained for replay, `event-log.ts`) and the stream subscribers
 * listening to it (`docs/replicate-protocol.md` §3.1, §3.3).
 */
import type { Prediction, PredictionUrls } from '../../core/prediction'
import type { ResolvedCadence } from './cadence'
import { EventLog } from './event-log'
import {
  doneData,
  errorData,
  type PublishedEvent,
  type PublishedEventType,
} from './published-events'
import { randomInt, type Random } from './random'
import type { StepTimers } from './step-timers'

/** A simulated failure: the prediction fails after `afterOutputs` outputs with `detail`. */
export interface SimulatedFailure {
  afterOutputs: number
  /** The error text; `"Simulated failure after N outputs"` when absent. */
  detail?: string
}

/** Receives each event a prediction publishes after the subscription started. */
export type StreamListener = (event: PublishedEvent) => void

/** What a new stream connection gets: the events to replay, and a way to stop listening. */
export interface StreamSubscription {
  /** Retained events to send first, in order (§2.5 replay / `Last-Event-ID` resumption). */
  readonly replay: readonly PublishedEvent[]
  unsubscribe(): void
}

/** What a run needs: the caller's request plus what the store decided. */
export interface RunArgs {
  id: string
  /** `/v1/streams/<token>` or `/v1/files/<token>`. */
  streamPath: string
  /** `owner/name` reported in `model`. */
  model: string
  version: string
  /** The items the model yields, in order. */
  outputs: readonly string[]
  /** Where the outputs come from, written to `logs`. */
  source: string
  input: Record<string, unknown>
  urls: PredictionUrls
  cadence: ResolvedCadence
  /** The server's step timers, shared by its predictions. */
  timers: StepTimers
  /** Draws burst sizes. */
  random: Random
  now: () => number
  /** Also publish log lines as `logs` events. */
  streamLogs: boolean
  fail?: SimulatedFailure | null
  /** Cancel from the server side after this many outputs. */
  cancelAfterOutputs?: number
  /** `Cancel-After` in ms from creation: sets `deadline` (§1.1). */
  cancelAfterMs?: number
  deployment?: string
  echo?: Pick<Prediction, 'webhook' | 'webhook_events_filter'>
}

/**
 * Runs `callback` after `delayMs`. A delay of zero or less uses `setImmediate` rather than
 * `setTimeout(0)`, which Node clamps to 1 ms: the 927-token recording would otherwise take a second
 * in the `'instant'` cadence, yet each step still yields to I/O so requests keep being served.
 * Returns a function that cancels the pending call.
 */
function schedule(delayMs: number, callback: () => void): () => void {
  if (delayMs <= 0) {
    const handle = setImmediate(callback)
    return () => clearImmediate(handle)
  }
  const handle = setTimeout(callback, delayMs)
  return () => clearTimeout(handle)
}

/** Seconds between two millisecond timestamps, as in Replicate's `metrics`. */
function seconds(fromMs: number, toMs: number): number {
  return Math.max(0, toMs - fromMs) / 1000
}

/** A simulated prediction, from `starting` to a terminal status. */
export class SimulatedPrediction {
  /** The live prediction object; callers must hand out copies. */
  readonly prediction: Prediction
  readonly createdMs: number
  readonly #args: RunArgs
  readonly #events: EventLog
  readonly #listeners = new Set<StreamListener>()
  readonly #settled = new Set<() => void>()
  /** Output index at which the prediction fails / is canceled, or `undefined`. */
  readonly #failAt: number | undefined
  readonly #cancelAt: number | undefined
  #startedMs: number | undefined
  #emitted = 0
  /**
   * When the next step is due, on the monotonic clock (`performance.now()`, not the injectable
   * `now`, which tests freeze): a running target rather than "an interval after the previous
   * step", so a timer that fires late does not slow the rate down.
   */
  #dueAt: number
  /** The pending step: on an immediate (no delay), or at a deadline of the server's timers. */
  #stepImmediate: NodeJS.Immediate | undefined
  #stepAt: number | undefined
  /** The step, bound once rather than a new closure per output. */
  readonly #nextStep = (): void => this.#step()
  #stopDeadline: (() => void) | undefined

  constructor(args: RunArgs) {
    this.#args = args
    this.createdMs = args.now()
    this.#events = new EventLog(args.now)
    const clamp = (n: number | undefined) =>
      n === undefined ? undefined : Math.min(Math.max(0, Math.floor(n)), args.outputs.length)
    this.#failAt = args.fail ? clamp(args.fail.afterOutputs) : undefined
    this.#cancelAt = clamp(args.cancelAfterOutputs)
    // Key order follows Replicate's responses (§1.2), which makes raw bodies easy to compare.
    this.prediction = {
      id: args.id,
      model: args.model,
      version: args.version,
      input: args.input,
      logs: '',
      output: null,
      data_removed: false,
      error: null,
      source: 'api',
      status: 'starting',
      created_at: new Date(this.createdMs).toISOString(),
      urls: args.urls,
      ...(args.deployment === undefined ? {} : { deployment: args.deployment }),
      ...(args.cancelAfterMs === undefined
        ? {}
        : { deadline: new Date(this.createdMs + args.cancelAfterMs).toISOString() }),
      ...args.echo,
    }
    this.#dueAt = performance.now() + args.cadence.firstOutputDelayMs
    this.#scheduleStep(args.cadence.firstOutputDelayMs)
    if (args.cancelAfterMs !== undefined) {
      this.#stopDeadline = schedule(args.cancelAfterMs, () => this.#deadline())
    }
  }

  get running(): boolean {
    return this.prediction.status === 'starting' || this.prediction.status === 'processing'
  }

  /** Cancels a running prediction: `canceled` and `done {"reason": "canceled"}`. */
  cancel(): void {
    if (this.running) this.#finish('canceled')
  }

  /** Calls `callback` once on settling (now if already settled). Returns the remover. */
  onSettled(callback: () => void): () => void {
    if (!this.running) {
      callback()
      return () => {}
    }
    this.#settled.add(callback)
    return () => this.#settled.delete(callback)
  }

  /**
   * Replay plus subscription in one synchronous step, so no event can fall between them. With
   * `lastEventId`, replay starts strictly after that event (minus `overlap` events, a fault that
   * sends duplicates); an id never published replays from the first event (nchan's behaviour
   * for an unknown id, §4 item 4).
   */
  subscribe(
    lastEventId: string | undefined,
    listener: StreamListener,
    overlap: number,
  ): StreamSubscription {
    const after = lastEventId === undefined ? -1 : this.#events.indexOf(lastEventId)
    const resumeAt = after === -1 ? 0 : Math.max(0, after + 1 - overlap)
    this.#listeners.add(listener)
    return {
      replay: this.#events.from(resumeAt),
      unsubscribe: () => this.#listeners.delete(listener),
    }
  }

  /** Stops the timers, drops the listeners and answers every waiter (server shutdown). */
  stop(): void {
    this.#cancelStep()
    this.#stopDeadline?.()
    this.#stopDeadline = undefined
    this.#listeners.clear()
    this.#settle()
  }

  /** One tick of the run: the next outputs (a burst), or the end (§3.1). */
  #step(): void {
    this.#stepImmediate = this.#stepAt = undefined
    if (!this.running) return
    const { prediction } = this
    const args = this.#args
    if (prediction.status === 'starting') {
      // Replicate reports `processing` once `predict()` runs, i.e. just before the first output.
      this.#startedMs = args.now()
      prediction.status = 'processing'
      prediction.started_at = new Date(this.#startedMs).toISOString()
      this.#log(`Running ${args.model}: ${args.source}\n`)
    }
    if (this.#failAt !== undefined && this.#emitted >= this.#failAt) return this.#finish('failed')
    if (this.#cancelAt !== undefined && this.#emitted >= this.#cancelAt) {
      return this.#finish('canceled')
    }
    const stopAt = Math.min(this.#failAt ?? Infinity, this.#cancelAt ?? Infinity)
    const end = Math.min(stopAt, args.outputs.length)
    const { burstMin, burstMax } = args.cadence
    // A steady cadence draws nothing: the generator is only read for bursts once created.
    const burst = burstMin === burstMax ? burstMin : randomInt(args.random, burstMin, burstMax)
    // `output` only ever grows, so it is appended to in place: O(1) per output, where a fresh
    // `slice` per output made a 40k-output stream O(n²). Readers get a copy (`PredictionStore`).
    const output = (prediction.output ??= []) as string[]
    for (let i = 0; i < burst && this.#emitted < end; i++) {
      const item = args.outputs[this.#emitted]!
      this.#emitted += 1
      output.push(item)
      this.#publish('output', item)
    }
    if (this.#emitted >= args.outputs.length && stopAt === Infinity) {
      // The model returns as soon as it yields its last item, so `done` follows it at once.
      const count = args.outputs.length
      this.#log(`Completed with ${count} output${count === 1 ? '' : 's'}\n`)
      return this.#finish('succeeded')
    }
    // A step that ran late shortens the wait for the next one, so timer jitter does not slow the
    // rate; after a stall longer than an interval the schedule restarts from now instead of
    // bursting to catch up. Whole milliseconds: Node keeps one timer list per distinct delay.
    const now = performance.now()
    this.#dueAt = Math.max(this.#dueAt + args.cadence.outputIntervalMs, now)
    this.#scheduleStep(Math.round(this.#dueAt - now))
  }

  /**
   * The next step after `delayMs`: on the server's shared timers, or at once (after pending I/O)
   * for a delay of zero or less, as in {@link schedule}.
   */
  #scheduleStep(delayMs: number): void {
    if (delayMs <= 0) this.#stepImmediate = setImmediate(this.#nextStep)
    else this.#stepAt = this.#args.timers.schedule(delayMs, this.#nextStep)
  }

  #cancelStep(): void {
    if (this.#stepImmediate) clearImmediate(this.#stepImmediate)
    if (this.#stepAt !== undefined) this.#args.timers.cancel(this.#stepAt, this.#nextStep)
    this.#stepImmediate = this.#stepAt = undefined
  }

  /** `Cancel-After` expired: `aborted` before the model started, `canceled` after (§3.1). */
  #deadline(): void {
    this.#stopDeadline = undefined
    if (this.prediction.status === 'processing') this.#finish('canceled')
    else if (this.prediction.status === 'starting') {
      // The model never ran: no stream event at all (§3.2), only the status changes.
      this.#cancelStep()
      const completedMs = this.#args.now()
      Object.assign(this.prediction, {
        status: 'aborted',
        completed_at: new Date(completedMs).toISOString(),
        metrics: { total_time: seconds(this.createdMs, completedMs) },
      })
      this.#settle()
    }
  }

  /** Moves to a terminal status and publishes the events that announce it (§2.3, §2.4). */
  #finish(status: 'succeeded' | 'failed' | 'canceled'): void {
    this.#cancelStep()
    this.#stopDeadline?.()
    this.#stopDeadline = undefined
    const { prediction } = this
    const completedMs = this.#args.now()
    // A prediction canceled before it started gets `started_at ≈ completed_at`, as recorded from
    // Replicate (§3.1).
    const startedMs = this.#startedMs ?? completedMs
    if (status === 'failed') {
      const detail = this.#args.fail?.detail ?? `Simulated failure after ${this.#failAt} outputs`
      this.#log(`Error: ${detail}\n`)
      prediction.error = detail
    }
    prediction.status = status
    prediction.started_at = new Date(startedMs).toISOString()
    prediction.completed_at = new Date(completedMs).toISOString()
    prediction.metrics = {
      predict_time: seconds(startedMs, completedMs),
      total_time: seconds(this.createdMs, completedMs),
    }
    if (status === 'failed') {
      this.#publish('error', errorData(prediction.error as string))
      this.#publish('done', doneData('error'))
    } else {
      this.#publish('done', doneData(status === 'canceled' ? 'canceled' : undefined))
    }
    this.#settle()
  }

  /** Appends to `logs`; a `logs` event too when streaming logs is on (opt-in, §2.6). */
  #log(text: string): void {
    this.prediction.logs = (this.prediction.logs ?? '') + text
    if (this.#args.streamLogs) this.#publish('logs', text)
  }

  #settle(): void {
    for (const callback of [...this.#settled]) callback()
    this.#settled.clear()
  }

  #publish(event: PublishedEventType, data: string): void {
    const message = this.#events.append(event, data)
    // No copy of the set per event: a listener only unsubscribes when its response closes, which
    // Node reports on a later turn, and a `Set` iteration tolerates deletion anyway.
    for (const listener of this.#listeners) listener(message)
  }
}
