import type { Timers } from './types'

/** `setTimeout` and `clearTimeout` of the host: the default wherever `timers` can be injected. */
export const hostTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}
