import { ConnectionError } from './errors'
import type { RunScope } from './run-scope'
import { openEventStream, type EventStreamRequest } from './sse'

/** One connection of a run, with its stall limit. */
export interface WatchedStreamRequest extends Omit<EventStreamRequest, 'signal' | 'onBytes'> {
  /** No bytes (comments included) for this long, in ms, means a dead connection. */
  stallTimeoutMs: number
  /**
   * No event (comments and keep-alive bytes do not count) for this long, in ms, means a
   * connection that is alive but says nothing: it is given up, so the run reconciles.
   */
  eventTimeoutMs: number
  /** The clock (ms), to tell on a wake-up how long the connection has been silent. */
  now: () => number
}

/**
 * On a wake-up, a connection silent for this long (ms), or for its stall limit if shorter, is
 * presumed dead and reopened at once: a tab that slept may have lost it without a word (a
 * system that cut its sockets, a network that changed), and its stall watchdog was throttled or
 * frozen with it. A live stream of tokens is never that quiet; one waiting for its model to
 * boot costs one reconnect per wake-up, from its last event ID.
 */
const WAKE_SILENCE_MS = 1000

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
  let stalled: ConnectionError | undefined
  const watchdog = (ms: number, failure: () => ConnectionError) => {
    let handle: unknown
    const arm = () => {
      scope.clearTimeout(handle)
      handle = scope.setTimeout(() => {
        stalled = failure()
        attempt.abort()
      }, ms)
    }
    arm()
    return { arm, clear: () => scope.clearTimeout(handle) }
  }
  let lastByteAt = request.now()
  const bytes = watchdog(
    request.stallTimeoutMs,
    () =>
      new ConnectionError(`No bytes for ${request.stallTimeoutMs} ms: the connection stalled`, {
        retryable: true,
      }),
  )
  // Comments prove the connection alive, not the prediction: a stream of nothing but comments
  // must not keep the run waiting forever, so events have a limit of their own.
  const events = watchdog(
    request.eventTimeoutMs,
    () =>
      new ConnectionError(`No event for ${request.eventTimeoutMs} ms: the stream says nothing`, {
        retryable: false,
      }),
  )
  const stopWaking = scope.onWake(() => {
    const silentMs = request.now() - lastByteAt
    if (silentMs < Math.min(WAKE_SILENCE_MS, request.stallTimeoutMs)) return
    stalled = new ConnectionError(`No bytes for ${silentMs} ms when the page woke up`, {
      retryable: true,
    })
    attempt.abort()
  })
  let sawEvent = false
  let failure: unknown
  try {
    await openEventStream({
      ...request,
      signal: attempt.signal,
      onBytes: () => {
        lastByteAt = request.now()
        bytes.arm()
      },
      onEvent: (event) => {
        sawEvent = true
        request.onEvent(event)
      },
      // Re-armed once per chunk that carried an event, not once per event.
      onChunkEnd: () => {
        if (sawEvent) events.arm()
        sawEvent = false
        request.onChunkEnd?.()
      },
    })
  } catch (error) {
    failure = error
  } finally {
    bytes.clear()
    events.clear()
    stopWaking()
    releaseAbort()
  }
  if (!scope.active) return
  if (stalled) throw stalled
  throw failure ?? new ConnectionError('The stream ended before done', { retryable: true })
}
