import type { Timers } from '../src/core/types'

/**
 * The host's timers, counted: `pending` is how many are scheduled and not yet run or cleared.
 * Injected as a stream's `timers`, it shows that a stream leaves nothing behind after it ends,
 * disconnects or cancels, without a test hook in the library's public surface.
 */
export function trackedTimers(): Timers & { readonly pending: number } {
  const live = new Set<ReturnType<typeof setTimeout>>()
  return {
    setTimeout(callback, ms) {
      const handle = setTimeout(() => {
        live.delete(handle)
        callback()
      }, ms)
      live.add(handle)
      return handle
    },
    clearTimeout(handle) {
      live.delete(handle as ReturnType<typeof setTimeout>)
      clearTimeout(handle as ReturnType<typeof setTimeout>)
    },
    get pending() {
      return live.size
    },
  }
}
