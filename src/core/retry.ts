import { ApiError, ConnectionError } from './errors'
import type { RetryOptions } from './types'

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
}

/**
 * Delay before reconnection attempt `attempt` (0-based): exponential backoff with full jitter
 * (a uniformly random wait up to `min(maxDelayMs, baseDelayMs · 2^attempt)`), so that many
 * clients cut off together do not come back together. Never below `floorMs` (a server's
 * `Retry-After`), and never zero, because a zero delay turns a failing server into a hot loop
 * (docs/sse-transport.md §2, measured: 85 requests in 100 ms).
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  floorMs = 0,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  return Math.max(floorMs, 1, Math.ceil(random() * ceiling))
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP date) into
 * milliseconds; `undefined` when absent or malformed.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // An HTTP date always names its day and month; without this, Date.parse('-5') is a year.
  if (!/^[A-Za-z]{3}, /.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * Whether an HTTP status is worth retrying: 408, 429 and 5xx (docs/design.md rule 5). Every other
 * 4xx is final, as WHATWG HTML §9.2.3 fails the connection on any non-200.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/** Whether a failure of the stream or of a read may go away by trying again. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError) return error.retryable
  if (error instanceof ApiError) return isRetryableStatus(error.status)
  return false
}

/** The wait a failure's `Retry-After` asked for, in ms (0 when it asked for none). */
export function retryAfterOf(error: unknown): number {
  const ms = error instanceof ApiError || error instanceof ConnectionError ? error.retryAfterMs : 0
  return ms ?? 0
}

/**
 * Whether a failed create certainly created nothing, so that trying again cannot run (and bill)
 * the prediction twice: 429, and 503 with `Retry-After`. Creating is not idempotent: a network
 * error may come after the server created the prediction, so it is final.
 */
export function isRefusedBeforeCreating(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 429 || (error.status === 503 && error.retryAfterMs !== undefined))
  )
}
