'use client'
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { PredictionStream } from '../core/prediction-stream'
import { getSharedPredictionStream, retainSharedPredictionStream } from '../core/shared-streams'
import { throttleSubscribe, type UpdateInterval } from '../core/throttle'
import type { PredictionStreamSnapshot, PredictionStreamOptions } from '../core/types'
import { watchPredictionStream, type PredictionStreamCallbacks } from '../core/watch'

/** Options of {@link usePredictionStream}. */
export interface UsePredictionStreamOptions
  extends Partial<PredictionStreamOptions>, PredictionStreamCallbacks {
  /**
   * Follow this stream instead of creating one: several components passing the same
   * `PredictionStream` share its single connection, and the last one to unmount closes it.
   * `endpoint`, `model` and the other stream options are then ignored.
   */
  stream?: PredictionStream
  /**
   * Follow an existing prediction by id (with `endpoint`): every component asking for the same
   * `endpoint` + id shares one stream and one connection, which closes when the last one
   * unmounts. Nothing is created.
   */
  predictionId?: string
  /**
   * How often the component re-renders while text streams in: at most once per animation frame
   * (`'frame'`), once per that many ms, or on every event (`'sync'`). Changes of `status`,
   * `connection` and `error` always render at once.
   * @defaultValue `'frame'`
   */
  updateInterval?: UpdateInterval
}

/** What {@link usePredictionStream} returns: the current snapshot plus the verbs. */
export interface UsePredictionStreamResult extends PredictionStreamSnapshot {
  /** Creates a prediction with this input and streams it. Exactly one `POST` per call. */
  start: (input: Record<string, unknown>) => Promise<void>
  /** Follows an existing prediction by id. Nothing is created. */
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
 * - Nothing is requested on mount or render: call `start(input)` (design.md rule 1). Exactly one
 *   `POST` per `start`, also under React StrictMode, whose unmount–remount cycle neither drops
 *   nor reopens the connection.
 * - Unmounting the last user closes the connection but does not cancel the prediction;
 *   `cancel()` does (rule 6).
 * - Changing `endpoint`, `model` or `version` starts over with a fresh, idle stream; `fetch`,
 *   `headers` and the callbacks are read when used, so they may change freely and are never
 *   stale.
 * - Errors never throw: they land in `error` (`ApiError`, `PredictionFailedError`,
 *   `ConnectionError`) with whatever `text` had arrived kept. Invalid options throw
 *   `InvalidOptionsError` during render, like any programming error.
 * - On the server (SSR) it renders the idle snapshot and touches no browser API.
 * - With `resume: { key }`, a prediction still running when the page was reloaded is
 *   re-attached on mount instead of being lost.
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
  const latest = useRef(options)
  useEffect(() => {
    latest.current = options
  })
  const stream = useStreamInstance(options, latest)
  const shared = options.predictionId !== undefined && options.stream === undefined

  useEffect(
    () => (shared ? retainSharedPredictionStream(stream) : stream.retain()),
    [stream, shared],
  )
  useEffect(() => watchPredictionStream(stream, () => latest.current), [stream])
  // Re-attaching to a remembered prediction is idempotent (no create), so unlike start() it may
  // happen on mount; resume() does nothing while a run is active, so StrictMode's second effect
  // is a no-op.
  useEffect(() => {
    if (latest.current.resume) void stream.resume()
  }, [stream])

  const interval = options.updateInterval ?? 'frame'
  const subscribe = useMemo(() => throttleSubscribe(stream, interval), [stream, interval])
  const snapshot = useSyncExternalStore(subscribe, stream.getSnapshot, stream.getInitialSnapshot)
  return {
    ...snapshot,
    start: stream.start,
    attach: stream.attach,
    cancel: stream.cancel,
    disconnect: stream.disconnect,
    stream,
  }
}

/** The stream this hook follows: passed in, shared by prediction id, or its own. */
function useStreamInstance(
  options: UsePredictionStreamOptions,
  latest: { current: UsePredictionStreamOptions },
): PredictionStream {
  const { stream: given, predictionId, endpoint, model, version } = options
  const key = given
    ? ''
    : `${endpoint}\u0000${model ?? ''}\u0000${version ?? ''}\u0000${predictionId ?? ''}`
  const create = (): PredictionStream | undefined => {
    if (given) return undefined
    // Read per request, so new functions each render are picked up without a new stream.
    const perRequest = {
      fetch: ((input, init) =>
        (latest.current.fetch ?? globalThis.fetch)(input, init)) as typeof fetch,
      headers: () => {
        const headers = latest.current.headers
        return (typeof headers === 'function' ? headers() : headers) ?? {}
      },
    }
    const { retry, timers, now, stallTimeoutMs, pollIntervalMs, maxPollIntervalMs, resume } =
      options
    const base = {
      endpoint: endpoint as string,
      ...{ retry, timers, now, stallTimeoutMs, pollIntervalMs, maxPollIntervalMs, resume },
      ...perRequest,
    }
    if (predictionId !== undefined) return getSharedPredictionStream({ ...base, predictionId })
    return new PredictionStream({ ...base, model, version })
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
