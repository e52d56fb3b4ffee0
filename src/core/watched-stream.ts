import { ConnectionError } from './errors'
import type { RunScope } from './run-scope'
import { openEventStream, type EventStreamRequest } from './sse'

/** One connection of a run, with its stall limit. */
export interface WatchedStreamRequest extends Omit<EventStreamRequest, 'signal' | 'onBytes'> {
  /** No bytes (comments included) for this long, in ms, means a dead connection. */
  stallTimeoutMs: number
}

/**
 * Opens one connection inside `scope` and reads it to its end, with a watchdog that aborts it
 * after `stallTimeoutMs` without a byte. Resolves only when the scope stopped (the run ended, a
 * terminal event among them); any other end rejects: a stall or a broken connection with its
 * {@link ConnectionError}, and an end without `done` too, because a stream that ends without
 * `done` is never success (replicate-javascript#367).
 */
export async function openWatchedStream(
  scope: RunScope,
  request: WatchedStreamRequest,
): Promise<void> {
  const attempt = new AbortController()
  const releaseAbort = scope.own(() => attempt.abort())
  let stalled = false
  let watchdog: unknown
  const arm = () => {
    scope.clearTimeout(watchdog)
    watchdog = scope.setTimeout(() => {
      stalled = true
      attempt.abort()
    }, request.stallTimeoutMs)
  }
  arm()
  let failure: unknown
  try {
    await openEventStream({ ...request, signal: attempt.signal, onBytes: arm })
  } catch (error) {
    failure = error
  } finally {
    scope.clearTimeout(watchdog)
    releaseAbort()
  }
  if (!scope.active) return
  if (stalled) {
    const ms = request.stallTimeoutMs
    throw new ConnectionError(`No bytes for ${ms} ms: the connection stalled`, { retryable: true })
  }
  throw failure ?? new ConnectionError('The stream ended before done', { retryable: true })
}
