import { backoffDelay, type RetryPolicy } from './retry'
import { whenVisibleAgain } from './page-lifecycle'
import type { RunScope } from './run-scope'

/** What one attempt is told: how many consecutive failures came before it. */
export interface AttemptContext {
  /** Consecutive failed attempts before this one (0 for the first). */
  readonly failures: number
  /**
   * The attempt made progress (an event arrived): the failures before it no longer count
   * against the budget, so a stream that keeps delivering between drops is never given up.
   */
  progress(): void
}

/** One operation retried under the run's single {@link RetryPolicy}. */
export interface RetryRequest<T> {
  scope: RunScope
  policy: RetryPolicy
  now: () => number
  /** One attempt: resolves with its value or throws its failure. */
  attempt: (context: AttemptContext) => Promise<T>
  /** Whether a failure may be retried at all (a final one ends the loop at once). */
  retryable: (error: unknown) => boolean
  /** The least wait before the next attempt, in ms: a server's `Retry-After` or `retry:`. */
  floorMs: (error: unknown) => number
  /** A retry is scheduled: report it (the loop's state lives here, never in the snapshot). */
  onRetry?: (failures: number, delayMs: number, error: unknown) => void
  /** Runs before every attempt, e.g. to wait until the browser is online again. */
  beforeAttempt?: () => Promise<void>
}

/** How a retried operation ended: its value, or the failure that ended the retries. */
export type RetryOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown }

/**
 * The one retry loop of the engine: creating a prediction, following its stream and polling it
 * all go through it. Attempts are retried while the failure is retryable, at most
 * `policy.maxAttempts` times in a row and for at most `policy.maxElapsedMs` since the first of
 * those failures, each after a backoff with full jitter floored by the server's wish
 * (`docs/design.md rule 5`). A wait that would end past `maxElapsedMs` ends the retries at once. Resolves `undefined` when the scope stops: the run is over and
 * nothing may be reported.
 *
 * Page lifecycle: a give-up while the page is hidden waits until it is visible and starts the
 * retries afresh (a hidden tab's timers are throttled and its connections cut, so what it sees
 * is not final), and a {@link RunScope.wake} ends a backoff at once (unless the server asked for
 * the wait) and retries an attempt it interrupted without counting it.
 */
export async function retry<T>(request: RetryRequest<T>): Promise<RetryOutcome<T> | undefined> {
  const { scope, policy, now } = request
  let failures = 0
  let failingSince = 0
  const context: AttemptContext = {
    get failures() {
      return failures
    },
    progress: () => {
      failures = 0
    },
  }
  for (;;) {
    await request.beforeAttempt?.()
    if (!scope.active) return undefined
    const wakes = scope.wakes
    try {
      const value = await request.attempt(context)
      return scope.active ? { ok: true, value } : undefined
    } catch (error) {
      if (!scope.active) return undefined
      const retryable = request.retryable(error)
      // A wake-up ended this attempt (a connection silent through a sleep): again at once,
      // unless the server asked for a wait.
      if (retryable && scope.wakes !== wakes && request.floorMs(error) === 0) {
        request.onRetry?.(failures, 0, error)
        continue
      }
      if (failures === 0) failingSince = now()
      const elapsed = now() - failingSince
      const spent = failures >= policy.maxAttempts || elapsed >= policy.maxElapsedMs
      if (!retryable) return { ok: false, error }
      const floorMs = request.floorMs(error)
      const delayMs = backoffDelay(failures, policy, floorMs)
      // A server asking for a wait beyond what is left of the budget (`Retry-After: 3600`, a
      // `retry:` of years) is not obeyed silently and never overflows a timer into a hot loop:
      // the retries end now, with the failure that carries the server's wish.
      if (spent || elapsed + delayMs > policy.maxElapsedMs) {
        // Nothing is final while the page is hidden (unless the server itself asked for a wait
        // beyond the budget): back in view, the retries start afresh.
        const serverWaitTooLong = elapsed + floorMs > policy.maxElapsedMs
        if (!serverWaitTooLong && (await whenVisibleAgain(scope))) {
          failures = 0
          continue
        }
        return scope.active ? { ok: false, error } : undefined
      }
      failures += 1
      request.onRetry?.(failures, delayMs, error)
      // A wake-up cuts the backoff short, never a wait the server asked for.
      if (!(await scope.sleep(delayMs, floorMs === 0))) return undefined
    }
  }
}
