import type { Timers } from './types'

/** The longest delay `setTimeout` honours: 2³¹ − 1 ms, about 24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1

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
  readonly #wakeListeners = new Set<() => void>()
  #wakes = 0
  /** Read once per event: a field is cheaper than the signal's `aborted` getter. */
  #stopped = false

  constructor(timers: Timers) {
    this.#timers = timers
  }

  /** Aborted when the scope stops: pass it to every request of the run. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /** `false` once stopped: every continuation checks this before touching state. */
  get active(): boolean {
    return !this.#stopped
  }

  /** Aborts requests, clears timers and listeners. Idempotent. */
  stop(): void {
    this.#stopped = true
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
    const handle: unknown = this.#timers.setTimeout(
      () => {
        this.#pending.delete(handle)
        callback()
      },
      // Hosts keep timers in a signed 32-bit int: a longer delay would fire at once (Node warns
      // TimeoutOverflowWarning and uses 1 ms), turning a long wait into a hot loop.
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    )
    this.#pending.set(handle, onStop)
    return handle
  }

  clearTimeout(handle: unknown): void {
    if (this.#pending.delete(handle)) this.#timers.clearTimeout(handle)
  }

  /**
   * Resolves `true` after `ms`, or `false` as soon as the scope stops. A `wakeable` sleep also
   * ends, with `true`, at the next {@link RunScope.wake}: a backoff or a poll interval is cut
   * short when the page comes back (a server's `Retry-After` is never `wakeable`).
   */
  sleep(ms: number, wakeable = false): Promise<boolean> {
    return new Promise((resolve) => {
      let stopWaking = () => {}
      const handle = this.setTimeout(
        () => {
          stopWaking()
          resolve(this.active)
        },
        ms,
        () => resolve(false),
      )
      if (wakeable && this.active) {
        stopWaking = this.onWake(() => {
          stopWaking()
          this.clearTimeout(handle)
          resolve(this.active)
        })
      }
    })
  }

  /** How many times {@link RunScope.wake} was called: an attempt compares it before and after. */
  get wakes(): number {
    return this.#wakes
  }

  /**
   * The page came back from a sleep (or the host says so): every listener of
   * {@link RunScope.onWake} runs, and every `wakeable` sleep ends now.
   */
  wake(): void {
    if (!this.active) return
    this.#wakes += 1
    for (const listener of [...this.#wakeListeners]) listener()
  }

  /** Calls `listener` on every {@link RunScope.wake} until the scope stops or the returned function is called. */
  onWake(listener: () => void): () => void {
    if (!this.active) return () => {}
    this.#wakeListeners.add(listener)
    return this.own(() => this.#wakeListeners.delete(listener))
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
