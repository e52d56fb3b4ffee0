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
  /** See {@link StreamPhase}: derived from `status`, `connection` and `logs`. */
  readonly phase: StreamPhase
  /** See {@link ConnectionState}. */
  readonly connection: ConnectionState
  /**
   * The concatenated `output` events, verbatim: nothing is trimmed, `"\n"` and `" word"` are real
   * tokens (Replicate streaming docs: each `output` event is one yielded item, a delta).
   */
  readonly text: string
  /** Every `output` event's data in order, one item per event (for models that yield files). */
  readonly output: readonly string[]
  /**
   * What the output items are: `'text'`, deltas concatenated into `text`, or `'items'`, values
   * such as file URLs that are not text, kept in `output` only (`text` stays empty; read files
   * with `fileOutputOf`). `null` until the first item, when the `outputKind` option is `'auto'`.
   */
  readonly outputKind: OutputKind | null
  /**
   * Counts the changes of `text` that were not appends: a new run, or a `GET` whose output
   * replaced what had streamed. While it stays the same, each new `text` extends the previous
   * one, so a renderer can append the difference without comparing the texts.
   */
  readonly textRevision: number
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
  /**
   * Why the run stopped following `urls.stream` and reads the prediction with `GET` instead
   * (`transport: 'polling'`): the stream's last failure, such as a `ProtocolError` for an
   * oversized event or a `ConnectionError` once reconnects were spent. `null` while the stream is
   * followed. Not an error of the prediction: polling may still end it `succeeded`.
   */
  readonly streamError: PredictionStreamError | null
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
  /** `POST {endpoint}` until the prediction existed, in ms (`null` for `attach()`). */
  readonly createMs: number | null
  /** When the prediction was first seen `processing`, or `null`. */
  readonly processingAt: number | null
  /**
   * Waiting in the queue and booting (Replicate's `starting`), in ms: from the prediction's
   * creation to `processing`, or `null` before.
   */
  readonly queueMs: number | null
  /** From the first output to the terminal status, in ms, or `null` before both. */
  readonly generationMs: number | null
  /** Time spent `reconnecting` (the stream lost and being restored), in ms, summed. */
  readonly stalledMs: number
  /** When the current stall began, while `reconnecting`; `null` otherwise. */
  readonly stalledSince: number | null
  /**
   * Tokens per second as the model reports them in the prediction's `metrics` (a prediction read
   * with `GET` or canceled carries them), or `null` for models that report no tokens.
   */
  readonly tokensPerSecond: number | null
}

/**
 * What a model's output items are: text deltas to concatenate, or separate items (files, values).
 */
export type OutputKind = 'text' | 'items'

/**
 * Where a run is, in the words users ask about (see {@link PredictionStreamSnapshot.phase}).
 *
 * - `idle`: nothing started.
 * - `queued`: created, waiting for a worker (Replicate's `starting`, no logs yet).
 * - `booting`: the model is being set up (`starting` with setup logs).
 * - `generating`: the model runs (`processing`).
 * - `stalled`: running, but the stream was lost and is being restored.
 * - `done`: a terminal status.
 */
export type StreamPhase = 'idle' | 'queued' | 'booting' | 'generating' | 'stalled' | 'done'

export type {
  PredictionStreamOptions,
  Resume,
  ResumeOptions,
  ResumeStorage,
  RetryOptions,
  TabSharing,
  Timers,
} from './stream-options'

/** What a snapshot subscriber needs of a store: the `useSyncExternalStore` contract. */
export interface SnapshotSource {
  /** Calls `listener` after every change; returns the function that unsubscribes. */
  subscribe(listener: () => void): () => void
  /** The current immutable snapshot. */
  getSnapshot(): PredictionStreamSnapshot
}
