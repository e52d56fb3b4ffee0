'use client'
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { PredictionStream } from '../core/prediction-stream'
import type { FollowPredictionOptions, PredictionStreamRegistry } from '../core/registry'
import { throttleSubscribe, type UpdateInterval } from '../core/throttle'
import type { PredictionStreamOptions, PredictionStreamSnapshot, Timers } from '../core/types'
import { watchPredictionStream, type PredictionStreamCallbacks } from '../core/watch'
import { useRegistry } from './registry-context'

/** What every mode of {@link usePredictionStream} accepts: callbacks and the render pace. */
export interface UsePredictionStreamBehaviour extends PredictionStreamCallbacks {
  /**
   * How often the component re-renders while text streams in: at most once per animation frame
   * (`'frame'`), once per that many ms, or on every event (`'sync'`). Changes of `status`,
   * `connection` and `error` always render at once.
   * @defaultValue `'frame'`
   */
  updateInterval?: UpdateInterval
  /**
   * Timer functions, for the stream this hook creates and for its render throttle.
   * @defaultValue `globalThis.setTimeout` / `globalThis.clearTimeout`
   */
  timers?: Timers
}

/** Every option of every mode, for reading them without narrowing first. */
type AnyModeOptions = Omit<PredictionStreamOptions, 'endpoint' | 'onRelease'> &
  UsePredictionStreamBehaviour & {
    endpoint?: string
    stream?: PredictionStream
    predictionId?: string
  }

/**
 * Own a stream: `start(input)` creates predictions of `model`, `version` or `deployment` through
 * `endpoint`. Changing `endpoint`, `model`, `version` or `deployment` starts over with a fresh,
 * idle stream; the other stream options are read when the stream is created (see
 * {@link PredictionStreamOptions}), except `fetch` and `headers`, which are read per request.
 */
export interface UseOwnPredictionStreamOptions
  extends Omit<PredictionStreamOptions, 'onRelease'>, UsePredictionStreamBehaviour {
  /** Not in this mode: the hook creates its own stream. */
  stream?: undefined
  /** Not in this mode: `start(input)` creates the prediction. */
  predictionId?: undefined
}

/**
 * Follow a stream made elsewhere: several components passing the same `PredictionStream` share
 * its single connection, and the last one to unmount closes it.
 */
export interface UseGivenPredictionStreamOptions extends UsePredictionStreamBehaviour {
  /** The stream to follow. */
  stream: PredictionStream
  /** Not in this mode: the given stream decides what it follows. */
  predictionId?: undefined
  /** Not in this mode: the given stream has its own endpoint. */
  endpoint?: undefined
}

/**
 * Follow an existing prediction by id through `endpoint`: every component asking for the same
 * `endpoint` + id shares one stream and one connection (through the nearest
 * `PredictionStreamProvider`'s registry, or the page's), which closes when the last one
 * unmounts. Nothing is created.
 */
export interface UseFollowPredictionOptions
  extends FollowPredictionOptions, UsePredictionStreamBehaviour {
  /** Not in this mode: the stream comes from the registry. */
  stream?: undefined
}

/**
 * Options of {@link usePredictionStream}: one of its three modes, told apart by `stream` and
 * `predictionId`.
 */
export type UsePredictionStreamOptions =
  UseOwnPredictionStreamOptions | UseGivenPredictionStreamOptions | UseFollowPredictionOptions

/** What {@link usePredictionStream} returns: the current snapshot plus the verbs. */
export interface UsePredictionStreamResult extends PredictionStreamSnapshot {
  /**
   * Creates a prediction with this input and streams it. Exactly one `POST` per call. Resolves
   * when the run ends; rejects only with `InvalidOptionsError` (no target, input not an object).
   */
  start: (input: Record<string, unknown>) => Promise<void>
  /** Follows an existing prediction by id. Nothing is created. Resolves when the run ends. */
  attach: (predictionId: string) => Promise<void>
  /** Cancels the prediction on the server and closes the stream. */
  cancel: () => Promise<void>
  /** Closes the stream; the prediction keeps running on the server. */
  disconnect: () => void
  /** The underlying framework-free stream, e.g. to share with `<StreamingText stream={…}>`. */
  stream: PredictionStream
}

/**
 * Runs a prediction's lifecycle (create → stream its server-sent events → done) and returns its
 * state, re-rendering at most once per animation frame while text streams in.
 *
 * - Nothing is requested on mount or render: call `start(input)` (docs/design.md rule 1).
 *   Exactly one `POST` per `start`, also under React StrictMode, whose unmount–remount cycle
 *   neither drops nor reopens the connection.
 * - Unmounting the last user closes the connection but does not cancel the prediction;
 *   `cancel()` does (docs/design.md rule 6).
 * - `fetch`, `headers` and the callbacks are read when used, so they may change freely and are
 *   never stale.
 * - Errors never throw: they land in `error` (`ApiError`, `PredictionFailedError`,
 *   `ConnectionError`) with whatever `text` had arrived kept. Invalid options throw
 *   `InvalidOptionsError` during render, like any programming error.
 * - On the server (SSR) it renders the idle snapshot and touches no network or shared state.
 * - With `resume: resumeAfterReload({ key })`, a prediction still running when the page was
 *   reloaded is re-attached on mount instead of being lost: its text is shown at once, and only
 *   the events after it are streamed.
 *
 * @example
 * ```tsx
 * const { text, status, error, start, cancel } = usePredictionStream({
 *   endpoint: '/api/predictions',
 *   model: 'meta/meta-llama-3-8b-instruct',
 *   onDone: (snapshot) => save(snapshot.text),
 * })
 * ```
 */
export function usePredictionStream(
  options: UsePredictionStreamOptions,
): UsePredictionStreamResult {
  // Latest options, for the values read at the moment they are used (fetch, headers,
  // callbacks): a new closure each render must never recreate or restart the stream.
  const latest = useRef<AnyModeOptions>(options)
  useEffect(() => {
    latest.current = options
  })
  const registry = useRegistry()
  const stream = useStreamInstance(options, latest, registry)
  const shared =
    options.predictionId !== undefined && options.stream === undefined ? registry : undefined
  const timers = options.timers

  useEffect(() => (shared ? shared.retain(stream) : stream.retain()), [stream, shared])
  useEffect(() => watchPredictionStream(stream, () => latest.current, timers), [stream, timers])
  // Re-attaching to a remembered prediction is idempotent (no create), so unlike start() it may
  // happen on mount; resume() does nothing while a run is active, so StrictMode's second effect
  // is a no-op.
  useEffect(() => {
    if (latest.current.resume) void stream.resume()
  }, [stream])

  const interval = options.updateInterval ?? 'frame'
  const subscribe = useMemo(
    () => throttleSubscribe(stream, interval, timers),
    [stream, interval, timers],
  )
  const snapshot = useSyncExternalStore(subscribe, stream.getSnapshot, stream.getInitialSnapshot)
  return useMemo(() => withVerbs(snapshot, stream), [snapshot, stream])
}

/**
 * The snapshot's fields plus the stream's verbs. The fields are copied as they are defined, so
 * `output` stays the snapshot's own lazy getter: a render that does not read it never
 * materialises the output array (a spread would, on every render).
 */
function withVerbs(
  snapshot: PredictionStreamSnapshot,
  stream: PredictionStream,
): UsePredictionStreamResult {
  const verbs = {
    start: stream.start,
    attach: stream.attach,
    cancel: stream.cancel,
    disconnect: stream.disconnect,
    stream,
  }
  return Object.defineProperties(
    verbs,
    Object.getOwnPropertyDescriptors(snapshot),
  ) as typeof verbs & PredictionStreamSnapshot
}

/** The stream this hook follows: given, shared by prediction id, or its own. */
function useStreamInstance(
  options: UsePredictionStreamOptions,
  latest: { current: AnyModeOptions },
  registry: PredictionStreamRegistry | undefined,
): PredictionStream {
  const all: AnyModeOptions = options
  const { stream: given, predictionId, endpoint } = all
  const own = given === undefined && predictionId === undefined ? all : undefined
  const key = given
    ? ''
    : [endpoint, own?.model, own?.version, own?.deployment, predictionId].join('\u0000')
  const create = (): PredictionStream | undefined => {
    if (given) return undefined
    const { retry, timers, now, stallTimeoutMs, pollIntervalMs, maxPollIntervalMs, resume } = all
    const { eventTimeoutMs, maxEventSize, outputKind } = all
    const base = {
      endpoint: endpoint as string,
      ...{ retry, timers, now, stallTimeoutMs, pollIntervalMs, maxPollIntervalMs, resume },
      ...{ eventTimeoutMs, maxEventSize, outputKind },
      shareAcrossTabs: all.shareAcrossTabs,
      // Read per request, so new functions each render are picked up without a new stream.
      fetch: ((input, init) =>
        (latest.current.fetch ?? globalThis.fetch)(input, init)) as typeof fetch,
      headers: () => {
        const headers = latest.current.headers
        return (typeof headers === 'function' ? headers() : headers) ?? {}
      },
    }
    if (predictionId === undefined) {
      return new PredictionStream({ ...base, ...pick(own, ['model', 'version', 'deployment']) })
    }
    // A server render gets a stream of its own that nothing retains: no registry entry outlives it.
    return registry ? registry.get({ ...base, predictionId }) : new PredictionStream(base)
  }
  const [owned, setOwned] = useState(() => ({ key, stream: create() }))
  if (given) return given
  if (owned.key !== key || !owned.stream) {
    // Adjusting state during render (react.dev, "You might not need an effect"): the previous
    // stream is released by its effect's cleanup.
    const stream = create() as PredictionStream
    setOwned({ key, stream })
    return stream
  }
  return owned.stream
}

function pick<T extends object, K extends keyof T>(value: T | undefined, keys: K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>
  for (const name of keys) if (value?.[name] !== undefined) picked[name] = value[name]
  return picked
}
