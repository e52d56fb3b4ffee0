import { hostTimers } from './host-timers'
import type { PredictionStreamSnapshot, SnapshotSource, Timers } from './types'

/**
 * How often a throttled subscriber hears about changes while text streams in:
 * `'frame'` at most once per animation frame, a number for at most once per that many ms, or
 * `'sync'` for every change.
 */
export type UpdateInterval = 'frame' | 'sync' | number

/**
 * Frames stop in hidden tabs (`requestAnimationFrame` is paused there); this timer still lets
 * text through, at the slow pace browsers allow background timers anyway.
 */
const HIDDEN_TAB_FALLBACK_MS = 250

/**
 * Wraps `source.subscribe` so the listener is called at most once per `interval` while only
 * text, output or logs grow, and at once when `status`, `connection` or `error` change: a burst of
 * thousands of tokens per second costs one notification per frame, but the end of a stream (or a
 * failure) is never held back (docs/design.md rule 7).
 *
 * @param interval - {@link UpdateInterval}; `'frame'` uses `requestAnimationFrame`, or a 16 ms
 *   timer where there is none (Node, workers).
 * @param timers - the timers behind the throttle: the fallback for frames, and the interval.
 *   Defaults to the host's `setTimeout`/`clearTimeout`.
 */
export function throttleSubscribe(
  source: SnapshotSource,
  interval: UpdateInterval = 'frame',
  timers: Timers = hostTimers,
): (listener: () => void) => () => void {
  if (interval === 'sync') return (listener) => source.subscribe(listener)
  return (listener) => {
    let delivered = source.getSnapshot()
    let cancel: (() => void) | undefined
    const flush = () => {
      cancel = undefined
      delivered = source.getSnapshot()
      listener()
    }
    const unsubscribe = source.subscribe(() => {
      const next = source.getSnapshot()
      if (isUrgent(delivered, next)) {
        cancel?.()
        flush()
      } else if (!cancel) {
        cancel = schedule(flush, interval, timers)
      }
    })
    return () => {
      cancel?.()
      cancel = undefined
      unsubscribe()
    }
  }
}

function isUrgent(previous: PredictionStreamSnapshot, next: PredictionStreamSnapshot): boolean {
  return (
    previous.status !== next.status ||
    previous.connection !== next.connection ||
    previous.error !== next.error ||
    // A new run (start() again) resets text: show the reset now, not a frame later.
    next.text.length < previous.text.length
  )
}

function schedule(callback: () => void, interval: 'frame' | number, timers: Timers): () => void {
  if (typeof interval === 'number' || typeof requestAnimationFrame !== 'function') {
    const handle = timers.setTimeout(callback, typeof interval === 'number' ? interval : 16)
    return () => timers.clearTimeout(handle)
  }
  let done = false
  const once = () => {
    if (done) return
    done = true
    cancelAnimationFrame(frame)
    timers.clearTimeout(timer)
    callback()
  }
  const frame = requestAnimationFrame(once)
  const timer = timers.setTimeout(once, HIDDEN_TAB_FALLBACK_MS)
  return () => {
    done = true
    cancelAnimationFrame(frame)
    timers.clearTimeout(timer)
  }
}
