import type { Timers } from '../src/core/types'

/**
 * Timers whose long waits never come: a timer of `heldFromMs` or more is kept pending and never
 * fires (until cleared); shorter ones run as usual. A run that reaches the end through such a wait
 * (a backoff, a stall limit) can only have been woken, so a test shows that a wake-up, and not
 * the clock, moved it on. `held` counts the long timers pending.
 */
export function heldTimers(heldFromMs = 1000): Timers & { readonly held: number } {
  const held = new Set<object>()
  return {
    setTimeout(callback, ms) {
      if (ms < heldFromMs) return setTimeout(callback, ms)
      const handle = {}
      held.add(handle)
      return handle
    },
    clearTimeout(handle) {
      if (!held.delete(handle as object)) clearTimeout(handle as ReturnType<typeof setTimeout>)
    },
    get held() {
      return held.size
    },
  }
}
