/**
 * Predictions of the local server: their state, the timers that run them, the events they have
 * published (retained for replay) and the stream subscribers listening to them.
 *
 * A prediction runs on its own timers from creation, whether or not anyone is connected, as on
 * Replicate; `GET` and the stream read the same state, so they agree at every moment
 * (`replicate-protocol.md` §3.1, §4 item 7).
 */
import { randomBytes } from 'node:crypto'
import type { Prediction, PredictionUrls } from '../core/prediction'
import type { Recording } from './recordings'
import {
  createEventIdGenerator,
  doneData,
  errorData,
  type StreamEvent,
  type StreamEventType,
} from './sse-format'

/** Delays of a prediction's outputs, in milliseconds. */
export interface Cadence {
  /** From creation to the first output (the model's "boot" time). */
  firstOutputDelayMs: number
  /** Between consecutive outputs. */
  outputIntervalMs: number
}

/** Failure injection: the prediction fails after `afterOutputs` outputs with `detail`. */
export interface FailureInjection {
  afterOutputs: number
  detail?: string
}

/** Receives each event a prediction publishes after the subscription started. */
export type StreamListener = (event: StreamEvent) => void

/** What a new stream connection gets: the events to replay, and a way to stop listening. */
export interface StreamSubscription {
  /** Retained events to send first, in order (§2.5 replay / `Last-Event-ID` resumption). */
  readonly replay: readonly StreamEvent[]
  unsubscribe(): void
}

/** What `create` needs besides the recording. */
export interface CreatePredictionArgs {
  recording: Recording
  input: Record<string, unknown>
  /** Builds `urls` from the new ids; the caller knows the host the client used. */
  urls: (id: string, streamToken: string) => PredictionUrls
  /** Failure injection in force when the prediction is created; `null` runs to success. */
  fail: FailureInjection | null
  /** Optional request fields Replicate echoes (`webhook`, `webhook_events_filter`). */
  echo?: Pick<Prediction, 'webhook' | 'webhook_events_filter'>
}

interface Entry {
  readonly prediction: Prediction
  readonly recording: Recording
  readonly streamToken: string
  readonly events: StreamEvent[]
  readonly listeners: Set<StreamListener>
  readonly nextEventId: () => string
  /** Output index at which the prediction fails, or `undefined` to succeed. */
  readonly failAt: number | undefined
  readonly failDetail: string
  readonly createdMs: number
  startedMs: number | undefined
  emitted: number
  cancelTimer: (() => void) | undefined
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/** `length` random characters of `alphabet` (rejection sampling keeps them uniform). */
function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length)
  let result = ''
  while (result.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < limit && result.length < length) result += alphabet[byte % alphabet.length]
    }
  }
  return result
}

/** A prediction id as Replicate makes them: 26 characters of `[a-z0-9]` (§1.2). */
export function createPredictionId(): string {
  return randomString(ID_ALPHABET, 26)
}

/** A stream token like Replicate's `/v1/streams/<token>`: 52 characters of base32 `[a-z2-7]`. */
export function createStreamToken(): string {
  return randomString(BASE32_ALPHABET, 52)
}

/**
 * Runs `callback` after `delayMs`. A zero delay uses `setImmediate` rather than `setTimeout(0)`,
 * which Node clamps to 1 ms: the 927-token recording would otherwise take a second in the
 * `'instant'` cadence, yet each step still yields to I/O so requests keep being served.
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

/** All predictions of one server. `now` (milliseconds) is injectable for tests. */
export class PredictionStore {
  readonly #entries = new Map<string, Entry>()
  readonly #byStreamToken = new Map<string, Entry>()
  readonly #cadence: Cadence
  readonly #now: () => number
  #closed = false

  constructor(cadence: Cadence, now: () => number = Date.now) {
    this.#cadence = cadence
    this.#now = now
  }

  /** Creates a prediction in `starting` and starts its run. Returns a snapshot. */
  create({ recording, input, urls, fail, echo }: CreatePredictionArgs): Prediction {
    if (this.#closed) throw new Error('PredictionStore is closed')
    const id = createPredictionId()
    const streamToken = createStreamToken()
    const createdMs = this.#now()
    // Key order follows Replicate's responses (§1.2), which makes raw bodies easy to compare.
    const prediction: Prediction = {
      id,
      model: recording.model,
      version: recording.version,
      input,
      logs: '',
      output: null,
      data_removed: false,
      error: null,
      source: 'api',
      status: 'starting',
      created_at: new Date(createdMs).toISOString(),
      urls: urls(id, streamToken),
      ...echo,
    }
    const failAt = fail
      ? Math.min(Math.max(0, Math.floor(fail.afterOutputs)), recording.output.length)
      : undefined
    const entry: Entry = {
      prediction,
      recording,
      streamToken,
      events: [],
      listeners: new Set(),
      nextEventId: createEventIdGenerator(this.#now),
      failAt,
      failDetail: fail?.detail ?? `Simulated failure after ${failAt ?? 0} outputs`,
      createdMs,
      startedMs: undefined,
      emitted: 0,
      cancelTimer: undefined,
    }
    this.#entries.set(id, entry)
    this.#byStreamToken.set(streamToken, entry)
    entry.cancelTimer = schedule(this.#cadence.firstOutputDelayMs, () => this.#step(entry))
    return structuredClone(prediction)
  }

  /** A snapshot of prediction `id`, or `undefined` when there is none. */
  get(id: string): Prediction | undefined {
    const entry = this.#entries.get(id)
    return entry && structuredClone(entry.prediction)
  }

  /** Snapshots of all predictions, oldest first. */
  list(): Prediction[] {
    return [...this.#entries.values()].map((entry) => structuredClone(entry.prediction))
  }

  /**
   * Cancels prediction `id`: status `canceled`, `completed_at`, and a `done {"reason": "canceled"}`
   * event. A prediction that already ended is returned unchanged, as Replicate does.
   * Returns `undefined` for an unknown id.
   */
  cancel(id: string): Prediction | undefined {
    const entry = this.#entries.get(id)
    if (!entry) return undefined
    if (!isRunning(entry)) return structuredClone(entry.prediction)
    this.#finish(entry, 'canceled')
    return structuredClone(entry.prediction)
  }

  /**
   * Subscribes to the events of the prediction whose stream token is `streamToken`.
   *
   * Replay and subscription happen in one synchronous step, so no event can fall between them.
   * With `lastEventId`, replay starts strictly after that event; an id this prediction never
   * published replays from the first event (nchan's behaviour for an unknown id, §4 item 4).
   * Returns `undefined` for an unknown token.
   */
  subscribe(
    streamToken: string,
    lastEventId: string | undefined,
    listener: StreamListener,
  ): StreamSubscription | undefined {
    const entry = this.#byStreamToken.get(streamToken)
    if (!entry) return undefined
    const resumeAt =
      lastEventId === undefined ? 0 : entry.events.findIndex((e) => e.id === lastEventId) + 1
    entry.listeners.add(listener)
    return {
      replay: entry.events.slice(resumeAt),
      unsubscribe: () => entry.listeners.delete(listener),
    }
  }

  /** Stops every prediction's timer and drops all listeners. Predictions stay readable. */
  close(): void {
    this.#closed = true
    for (const entry of this.#entries.values()) {
      entry.cancelTimer?.()
      entry.cancelTimer = undefined
      entry.listeners.clear()
    }
  }

  /** One tick of the run: the next output, or the end (§3.1 `starting → processing → …`). */
  #step(entry: Entry): void {
    entry.cancelTimer = undefined
    if (!isRunning(entry)) return
    const { prediction, recording } = entry
    if (prediction.status === 'starting') {
      // Replicate reports `processing` once `predict()` runs, i.e. just before the first output.
      entry.startedMs = this.#now()
      prediction.status = 'processing'
      prediction.started_at = new Date(entry.startedMs).toISOString()
    }
    if (entry.failAt !== undefined && entry.emitted >= entry.failAt) {
      this.#finish(entry, 'failed')
      return
    }
    if (entry.emitted < recording.output.length) {
      const item = recording.output[entry.emitted]!
      entry.emitted += 1
      prediction.output = recording.output.slice(0, entry.emitted)
      this.#publish(entry, 'output', item)
    }
    if (entry.emitted >= recording.output.length && entry.failAt === undefined) {
      // The model returns as soon as it yields its last item, so `done` follows it at once.
      this.#finish(entry, 'succeeded')
      return
    }
    entry.cancelTimer = schedule(this.#cadence.outputIntervalMs, () => this.#step(entry))
  }

  /** Moves to a terminal status and publishes the events that announce it (§2.3, §2.4). */
  #finish(entry: Entry, status: 'succeeded' | 'failed' | 'canceled'): void {
    entry.cancelTimer?.()
    entry.cancelTimer = undefined
    const { prediction } = entry
    const completedMs = this.#now()
    // A prediction canceled before it started gets `started_at ≈ completed_at`, as recorded from
    // Replicate (§3.1).
    const startedMs = entry.startedMs ?? completedMs
    prediction.status = status
    prediction.started_at = new Date(startedMs).toISOString()
    prediction.completed_at = new Date(completedMs).toISOString()
    prediction.metrics = {
      predict_time: seconds(startedMs, completedMs),
      total_time: seconds(entry.createdMs, completedMs),
    }
    if (status === 'failed') {
      prediction.error = entry.failDetail
      this.#publish(entry, 'error', errorData(entry.failDetail))
      this.#publish(entry, 'done', doneData('error'))
    } else {
      this.#publish(entry, 'done', doneData(status === 'canceled' ? 'canceled' : undefined))
    }
  }

  #publish(entry: Entry, event: StreamEventType, data: string): void {
    const message: StreamEvent = { event, id: entry.nextEventId(), data }
    entry.events.push(message)
    for (const listener of [...entry.listeners]) listener(message)
  }
}

function isRunning(entry: Entry): boolean {
  return entry.prediction.status === 'starting' || entry.prediction.status === 'processing'
}
