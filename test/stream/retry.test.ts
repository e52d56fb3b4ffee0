import { describe, expect, it } from 'vitest'
import { backoffDelay, defaultRetryPolicy, parseRetryAfter } from '../../src/core/retry'

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 }

  it('grows the ceiling exponentially up to the cap, with full jitter', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, policy, 0, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ])
    expect(backoffDelay(3, policy, 0, () => 0.5)).toBe(400)
  })

  it('is never zero and never below the floor', () => {
    expect(backoffDelay(0, policy, 0, () => 0)).toBe(1)
    expect(backoffDelay(0, policy, 3000, () => 0.5)).toBe(3000)
  })

  it('has documented defaults', () => {
    expect(defaultRetryPolicy).toEqual({
      maxAttempts: 5,
      baseDelayMs: 500,
      maxDelayMs: 10_000,
      maxElapsedMs: 60_000,
    })
  })
})

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates (RFC 9110 §10.2.3)', () => {
    expect(parseRetryAfter('1')).toBe(1000)
    expect(parseRetryAfter(' 30 ')).toBe(30_000)
    const now = Date.parse('Sun, 22 Nov 2026 00:00:00 GMT')
    expect(parseRetryAfter('Sun, 22 Nov 2026 00:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Sat, 21 Nov 2026 00:00:00 GMT', now)).toBe(0)
  })

  it('ignores absent and malformed values', () => {
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter('-5')).toBeUndefined()
  })
})
