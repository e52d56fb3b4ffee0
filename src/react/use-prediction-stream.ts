'use client'
import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { PredictionStream } from '../core/prediction-stream'
import type { PredictionStreamOptions, PredictionStreamSnapshot } from '../core/types'

/** Options of {@link usePredictionStream}: those of `PredictionStream`. */
export type UsePredictionStreamOptions = PredictionStreamOptions

/** What {@link usePredictionStream} returns: the current snapshot plus the verbs. */
export interface UsePredictionStreamResult extends PredictionStreamSnapshot {
  /** Creates a prediction with this input and streams it. Exactly one `POST` per call. */
  start: (input: Record<string, unknown>) => Promise<void>
  /** Cancels the prediction on the server and closes the stream. */
  cancel: () => Promise<void>
  /** Closes the stream; the prediction keeps running on the server. */
  disconnect: () => void
  /** The underlying framework-free stream, e.g. to pass to other components. */
  stream: PredictionStream
}

/**
 * Runs a prediction's lifecycle (create → stream its server-sent events → done) and returns its
 * state, re-rendering as it changes.
 *
 * Nothing is requested on mount or render: call `start(input)` (design.md rule 1). Unmounting
 * closes the connection but does not cancel the prediction; `cancel()` does (rule 6). Changing
 * `endpoint`, `model` or `version` starts over with a fresh, idle stream; `fetch` and `headers`
 * are read at each request, so they may change freely.
 *
 * Errors never throw: they land in `error` (`ApiError`, `PredictionFailedError`,
 * `ConnectionError`), with whatever `text` had arrived kept. Invalid options throw
 * `InvalidOptionsError` during render, like any programming error.
 *
 * @example
 * ```tsx
 * const { text, status, error, start, cancel } = usePredictionStream({
 *   endpoint: '/api/predictions',
 *   model: 'meta/meta-llama-3-8b-instruct',
 * })
 * ```
 */
export function usePredictionStream(
  options: UsePredictionStreamOptions,
): UsePredictionStreamResult {
  // Latest options for the values read per request, so a new `headers` function or `fetch`
  // never forces a new stream (and never tears down a running one).
  const latest = useRef(options)
  useEffect(() => {
    latest.current = options
  })
  const { endpoint, model, version, retry, timers } = options
  const key = `${endpoint}\u0000${model ?? ''}\u0000${version ?? ''}`
  const [owned, setOwned] = useState(() => ({ key, stream: create() }))
  function create(): PredictionStream {
    return new PredictionStream({
      endpoint,
      model,
      version,
      retry,
      timers,
      fetch: (input, init) => (latest.current.fetch ?? globalThis.fetch)(input, init),
      headers: () => {
        const headers = latest.current.headers
        return (typeof headers === 'function' ? headers() : headers) ?? {}
      },
    })
  }
  let stream = owned.stream
  if (owned.key !== key) {
    // Adjusting state during render (react.dev "You might not need an effect"): the old stream
    // is disconnected by its effect cleanup below.
    stream = create()
    setOwned({ key, stream })
  }

  useEffect(() => () => stream.disconnect(), [stream])

  const snapshot = useSyncExternalStore(
    stream.subscribe,
    stream.getSnapshot,
    stream.getInitialSnapshot,
  )
  return {
    ...snapshot,
    start: stream.start,
    cancel: stream.cancel,
    disconnect: stream.disconnect,
    stream,
  }
}
