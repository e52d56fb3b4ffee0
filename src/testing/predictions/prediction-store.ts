/**
 * Predictions of the local server: creating them (ids, stream paths), finding them by id or
 * stream path, and shutting them all down. Each runs (`simulated-prediction.ts`, on the store's
 * shared step timers) from creation, whether or not anyone is connected, as on Replicate; `GET`
 * and the stream read the same state, so they agree at every moment
 * (`docs/replicate-protocol.md` §3.1, §4 item 7): `output` is the items published so far and
 * `logs` the log text published so far.
 */
import type { Prediction, PredictionUrls } from '../../core/prediction'
import type { Cadence, ResolvedCadence } from './cadence'
import { createRandom, deriveSeed, randomString } from './random'
import {
  SimulatedPrediction,
  type SimulatedFailure,
  type StreamListener,
  type StreamSubscription,
} from './simulated-prediction'
import { StepTimers } from './step-timers'

/** What `create` needs to run a prediction. */
export interface CreatePredictionArgs {
  /** `owner/name` reported in `model`. */
  model: string
  version: string
  /** `'files'` streams on `/v1/files/…`, `'text'` on `/v1/streams/…` (§1.2). */
  kind: 'text' | 'files'
  /** The items the model yields, in order. */
  outputs: readonly string[]
  /** Where the outputs come from, written to `logs`. */
  source: string
  input: Record<string, unknown>
  /** Builds `urls` from the new id and the stream path (`/v1/streams/<token>`). */
  urls: (id: string, streamPath: string) => PredictionUrls
  /** Fail after some outputs; `null`/absent runs to success. */
  fail?: SimulatedFailure | null
  /** Cancel from the server side after this many outputs. */
  cancelAfterOutputs?: number
  /** Overrides the store's cadence for this prediction. */
  cadence?: ResolvedCadence
  /** `Cancel-After`, in ms from creation: sets `deadline` (§1.1, §3.1). */
  cancelAfterMs?: number
  /** The deployment `owner/name` it was created through. */
  deployment?: string
  /** Optional request fields Replicate echoes (`webhook`, `webhook_events_filter`). */
  echo?: Pick<Prediction, 'webhook' | 'webhook_events_filter'>
}

/** Store-wide settings. */
export interface StoreOptions {
  /**
   * Seed of the per-prediction generators (ids, stream tokens, burst sizes).
   * @defaultValue `0`
   */
  seed?: number
  /**
   * Also publish log lines as `logs` stream events (they always accumulate in `logs`).
   * @defaultValue `false`
   */
  streamLogs?: boolean
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/** All predictions of one server. `now` (milliseconds) is injectable for tests. */
export class PredictionStore {
  readonly #runs = new Map<string, SimulatedPrediction>()
  readonly #byStreamPath = new Map<string, SimulatedPrediction>()
  readonly #cadence: ResolvedCadence
  readonly #now: () => number
  readonly #seed: number
  readonly #streamLogs: boolean
  readonly #timers = new StepTimers()
  #closed = false

  constructor(cadence: Cadence, now: () => number = Date.now, options: StoreOptions = {}) {
    this.#cadence = { burstMin: 1, burstMax: 1, ...cadence }
    this.#now = now
    this.#seed = options.seed ?? 0
    this.#streamLogs = options.streamLogs ?? false
  }

  /** Creates a prediction in `starting` and starts its run. Returns a snapshot. */
  create(args: CreatePredictionArgs): Prediction {
    if (this.#closed) throw new Error('PredictionStore is closed')
    // Each prediction draws from its own generator, so concurrency cannot reorder the draws.
    const random = createRandom(deriveSeed(this.#seed, 'prediction', this.#runs.size))
    let id = randomString(random, ID_ALPHABET, 26)
    while (this.#runs.has(id)) id = randomString(random, ID_ALPHABET, 26)
    // Shapes seen on Replicate (§1.2): `/v1/streams/<52 base32>`, `/v1/files/kzvt-<52 base32>`.
    const token = randomString(random, BASE32_ALPHABET, 52)
    const streamPath =
      args.kind === 'files'
        ? `/v1/files/${randomString(random, 'abcdefghijklmnopqrstuvwxyz', 4)}-${token}`
        : `/v1/streams/${token}`
    const run = new SimulatedPrediction({
      ...args,
      id,
      streamPath,
      urls: args.urls(id, streamPath),
      cadence: args.cadence ?? this.#cadence,
      timers: this.#timers,
      random,
      now: this.#now,
      streamLogs: this.#streamLogs,
    })
    this.#runs.set(id, run)
    this.#byStreamPath.set(streamPath, run)
    return structuredClone(run.prediction)
  }

  /** A snapshot of prediction `id`, or `undefined` when there is none. */
  get(id: string): Prediction | undefined {
    const run = this.#runs.get(id)
    return run && structuredClone(run.prediction)
  }

  /** Snapshots of all predictions, oldest first. */
  list(): Prediction[] {
    return [...this.#runs.values()].map((run) => structuredClone(run.prediction))
  }

  /** Snapshots with their creation sequence number (0, 1, …) and time, oldest first. */
  history(): { seq: number; createdMs: number; prediction: Prediction }[] {
    return [...this.#runs.values()].map((run, seq) => ({
      seq,
      createdMs: run.createdMs,
      prediction: structuredClone(run.prediction),
    }))
  }

  /**
   * Cancels prediction `id`: status `canceled`, `completed_at`, and a `done {"reason": "canceled"}`
   * event. A prediction that already ended is returned unchanged, as Replicate does.
   * Returns `undefined` for an unknown id.
   */
  cancel(id: string): Prediction | undefined {
    const run = this.#runs.get(id)
    run?.cancel()
    return run && structuredClone(run.prediction)
  }

  /**
   * Calls `callback` once when prediction `id` reaches a terminal status, or when the store closes
   * (at once if it already has). Returns a function that removes the callback, or `undefined` for
   * an unknown id.
   */
  onSettled(id: string, callback: () => void): (() => void) | undefined {
    const run = this.#runs.get(id)
    if (!run) return undefined
    if (this.#closed) {
      callback()
      return () => {}
    }
    return run.onSettled(callback)
  }

  /** `true` when `streamPath` (`/v1/streams/<token>`, `/v1/files/<token>`) is a prediction's. */
  hasStream(streamPath: string): boolean {
    return this.#byStreamPath.has(streamPath)
  }

  /**
   * Subscribes to the events of the prediction whose stream path is `streamPath`; see
   * {@link SimulatedPrediction.subscribe}. Returns `undefined` for an unknown path or a closed
   * store.
   */
  subscribe(
    streamPath: string,
    lastEventId: string | undefined,
    listener: StreamListener,
    overlap = 0,
  ): StreamSubscription | undefined {
    if (this.#closed) return undefined
    return this.#byStreamPath.get(streamPath)?.subscribe(lastEventId, listener, overlap)
  }

  /** Stops every prediction's timers, answers every waiter and drops all listeners. */
  close(): void {
    this.#closed = true
    for (const run of this.#runs.values()) run.stop()
  }
}
