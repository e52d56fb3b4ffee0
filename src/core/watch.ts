import type { PredictionStreamError } from './errors'
import { isTerminalStatus } from './prediction'
import { itemsOf } from './output-list'
import { outputListOf } from './snapshot'
import type { SnapshotSource } from './types'
import { hostTimers } from './host-timers'
import type { PredictionStreamSnapshot, Timers } from './types'

/** Callbacks for what happens to a stream. Each is optional. */
export interface PredictionStreamCallbacks {
  /** Each `output` event's data, in order, as it arrives (one call per event, never batched). */
  onOutput?: (data: string, snapshot: PredictionStreamSnapshot) => void
  /** The prediction reached a terminal status (`succeeded`, `failed`, `canceled`, `aborted`). */
  onDone?: (snapshot: PredictionStreamSnapshot) => void
  /** An error was stored in the snapshot (it may still be followed by `onDone`). */
  onError?: (error: PredictionStreamError, snapshot: PredictionStreamSnapshot) => void
  /** `status` changed. */
  onStatusChange?: (snapshot: PredictionStreamSnapshot) => void
}

/**
 * Calls `callbacks` for every change of `source`, derived from the difference between
 * consecutive snapshots, so it works the same for any number of watchers of one stream.
 * Returns the function that stops watching.
 *
 * A callback that throws never disturbs the stream or the other callbacks: its error is
 * rethrown on a fresh task (through `timers`), where it reaches `window.onerror` / `process` as
 * usual.
 */
export function watchPredictionStream(
  source: SnapshotSource,
  callbacks: PredictionStreamCallbacks | (() => PredictionStreamCallbacks),
  timers: Timers = hostTimers,
): () => void {
  const read = typeof callbacks === 'function' ? callbacks : () => callbacks
  let previous = source.getSnapshot()
  return source.subscribe(() => {
    const next = source.getSnapshot()
    const before = previous
    previous = next
    const current = read()
    // Read through the run's output list, not `output`: materialising the array per change
    // would make following a long stream O(n²). A restart (start() again) empties the output:
    // nothing from the old run is new.
    const list = outputListOf(next)
    const earlier = outputListOf(before).length
    const from = list.length >= earlier ? earlier : 0
    const items = from < list.length ? itemsOf(list) : []
    for (let index = from; index < list.length; index += 1) {
      isolate(timers, () => current.onOutput?.(items[index] as string, next))
    }
    if (next.status !== before.status) isolate(timers, () => current.onStatusChange?.(next))
    if (next.error && next.error !== before.error) {
      const error = next.error
      isolate(timers, () => current.onError?.(error, next))
    }
    if (isTerminalStatus(next.status) && next.status !== before.status) {
      isolate(timers, () => current.onDone?.(next))
    }
  })
}

function isolate(timers: Timers, callback: () => void): void {
  try {
    callback()
  } catch (error) {
    timers.setTimeout(() => {
      throw error
    }, 0)
  }
}
