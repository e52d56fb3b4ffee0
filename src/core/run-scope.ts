import type { Timers } from './types'

/**
 * Everything one run holds: its requests (through {@link RunScope.signal}), its timers and its
 * listeners. `stop()` aborts the requests, clears the timers (waking every pending `sleep` with
 * `false`) and removes the listeners, so nothing of a stopped run can run later or touch the
 * state of the next one. Timers go through the injected {@link Timers}, so tests and non-browser
 * hosts see and control every one of them.
 */
export class RunScope {
  readonly #timers: Timers
  readonly #controller = new AbortController()
  /** Pending timer handles, each with what to do if the scope stops first. */
  readonly #pending = new Map<unknown, () => void>()
  readonly #cleanups = new Set<() => void>()

  constructor(timers: Timers) {
    this.#timers = timers
  }

  /** Aborted when the scope stops: pass it to every request of the run. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /** `false` once stopped: every continuation checks this before touching state. */
  get active(): boolean {
    return !this.#controller.signal.aborted
  }

  /** Aborts requests, clears timers and listeners. Idempotent. */
  stop(): void {
    this.#controller.abort()
    for (const [handle, onStop] of this.#pending) {
      this.#timers.clearTimeout(handle)
      onStop()
    }
    this.#pending.clear()
    for (const cleanup of this.#cleanups) cleanup()
    this.#cleanups.clear()
  }

  /** A timer owned by the scope. Returns its handle for {@link RunScope.clearTimeout}. */
  setTimeout(callback: () => void, ms: number, onStop: () => void = () => {}): unknown {
    if (!this.active) {
      onStop()
      return undefined
    }
    const handle: unknown = this.#timers.setTimeout(() => {
      this.#pending.delete(handle)
      callback()
    }, ms)
    this.#pending.set(handle, onStop)
    return handle
  }

  clearTimeout(handle: unknown): void {
    if (this.#pending.delete(handle)) this.#timers.clearTimeout(handle)
  }

  /** Resolves `true` after `ms`, or `false` as soon as the scope stops. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.setTimeout(
        () => resolve(this.active),
        ms,
        () => resolve(false),
      )
    })
  }

  /**
   * Registers `cleanup` to run when the scope stops. Returns the function that runs it now and
   * unregisters it (for a listener the run removes itself earlier).
   */
  own(cleanup: () => void): () => void {
    if (!this.active) {
      cleanup()
      return () => {}
    }
    this.#cleanups.add(cleanup)
    return () => {
      if (this.#cleanups.delete(cleanup)) cleanup()
    }
  }
}
