import type { Timers } from './types'

/**
 * Counts the users of something and calls `onIdle` when the last one leaves, one task later:
 * React StrictMode unmounts and remounts effects back to back, and that must neither release
 * nor reacquire what they hold. A user who comes back within that task cancels the release.
 */
export class RefCount {
  readonly #timers: Timers
  readonly #onIdle: () => void
  #users = 0
  #pendingIdle: unknown = undefined

  constructor(timers: Timers, onIdle: () => void) {
    this.#timers = timers
    this.#onIdle = onIdle
  }

  /** How many users hold it now. */
  get users(): number {
    return this.#users
  }

  /** Declares one more user; returns the function that ends that use (idempotent). */
  retain(): () => void {
    this.#users += 1
    if (this.#pendingIdle !== undefined) {
      this.#timers.clearTimeout(this.#pendingIdle)
      this.#pendingIdle = undefined
    }
    let released = false
    return () => {
      if (released) return
      released = true
      this.#users -= 1
      if (this.#users > 0) return
      this.#pendingIdle = this.#timers.setTimeout(() => {
        this.#pendingIdle = undefined
        if (this.#users === 0) this.#onIdle()
      }, 0)
    }
  }
}
