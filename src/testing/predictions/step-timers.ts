/**
 * The timers the predictions of one server step on, coalesced per deadline: every step due in the
 * same millisecond shares one Node timer. 1,000 streams at 50 tokens/s then arm about a thousand
 * timers a second (one per millisecond that has a step due) rather than fifty thousand, and the
 * steps due together run back to back.
 */

/** A step due at a millisecond: its callbacks, in the order they were scheduled, and its timer. */
interface Deadline {
  readonly steps: Set<() => void>
  readonly timer: NodeJS.Timeout
}

/** One server's step timers. */
export class StepTimers {
  /** Pending deadlines by millisecond on the monotonic clock (`performance.now()`, rounded). */
  readonly #deadlines = new Map<number, Deadline>()
  /** The deadline whose steps are running now, so that one of them can still be canceled. */
  #firing: { at: number; steps: Set<() => void> } | undefined

  /**
   * Runs `step` once, `delayMs` (> 0) from now; steps due in the same millisecond run in the
   * order they were scheduled, on the timer of the first. Returns the deadline to cancel it with.
   * A `step` is a bound callback rather than a new closure per call: it must not be scheduled
   * twice at once.
   */
  schedule(delayMs: number, step: () => void): number {
    const at = Math.round(performance.now() + delayMs)
    const deadline = this.#deadlines.get(at)
    if (deadline) deadline.steps.add(step)
    else {
      const timer = setTimeout(() => this.#fire(at), delayMs)
      this.#deadlines.set(at, { steps: new Set([step]), timer })
    }
    return at
  }

  /** Cancels `step` scheduled for deadline `at` (a no-op once it ran). */
  cancel(at: number, step: () => void): void {
    // A step may cancel another one due in the same millisecond that has not run yet.
    if (this.#firing?.at === at && this.#firing.steps.delete(step)) return
    const deadline = this.#deadlines.get(at)
    if (!deadline?.steps.delete(step) || deadline.steps.size > 0) return
    clearTimeout(deadline.timer)
    this.#deadlines.delete(at)
  }

  #fire(at: number): void {
    const deadline = this.#deadlines.get(at)
    if (!deadline) return
    // Removed first: a step that schedules its next step lands in a new deadline, even one for
    // the same millisecond, rather than in the set being run.
    this.#deadlines.delete(at)
    this.#firing = { at, steps: deadline.steps }
    try {
      for (const step of deadline.steps) step()
    } finally {
      this.#firing = undefined
    }
  }
}
