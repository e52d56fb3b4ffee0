/**
 * The optional request headers of the create endpoints (`docs/replicate-protocol.md` §1.1, OpenAPI
 * `parameters_prefer_header` and `parameters_cancel_after_header`).
 */

/** An honoured `Prefer: wait`: how long to hold the response, and the value to echo. */
export interface PreferWait {
  /** 1–60 s; bare `wait` means 60. */
  seconds: number
  /** The preference as received, for `Preference-Applied` (`wait` or `wait=10`). */
  applied: string
}

const PREFER_WAIT = /^wait(?:=([1-9]|[1-9][0-9]|60))?$/

function single(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header
}

/**
 * Parses `Prefer` against the OpenAPI pattern `^wait(=([1-9]|[1-9][0-9]|60))?$`. Anything else is
 * ignored, as RFC 7240 tells servers to treat preferences they do not support (what Replicate does
 * with a malformed value is unverified), and then no `Preference-Applied` is sent. The pattern
 * also admits 61–99 although the text says "between 1 and 60": those are honoured as 60 s.
 */
export function parsePreferWait(header: string | string[] | undefined): PreferWait | undefined {
  const value = single(header)?.trim()
  if (value === undefined) return undefined
  const match = PREFER_WAIT.exec(value)
  if (!match) return undefined
  return { seconds: Math.min(60, Number(match[1] ?? 60)), applied: value }
}

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }

/** The result of parsing `Cancel-After`. */
export type CancelAfter = { ok: true; ms: number } | { ok: false; detail: string }

/**
 * Parses `Cancel-After`: `30s`, `5m`, `1h30m45s`, a bare number of seconds, decimals allowed, and
 * (like Go's `time.ParseDuration`, which the format resembles) `ms`. Durations under `minimumMs`
 * (Replicate: 5 s) are refused: the OpenAPI text says "the minimum allowed duration is 5 seconds"
 * (whether Replicate refuses or clamps is unverified).
 */
export function parseCancelAfter(
  header: string | string[] | undefined,
  minimumMs: number,
): CancelAfter | undefined {
  const value = single(header)?.trim()
  if (value === undefined) return undefined
  let ms: number | undefined
  if (/^\d+(?:\.\d+)?$/.test(value)) ms = Number(value) * 1000
  else if (/^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/.test(value)) {
    ms = 0
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
      ms += Number(amount) * UNIT_MS[unit!]!
    }
  }
  if (ms === undefined) {
    return {
      ok: false,
      detail: `Invalid Cancel-After header "${value}": use a duration such as 30s, 5m or 1h30m45s`,
    }
  }
  if (ms < minimumMs) {
    return {
      ok: false,
      detail: `Cancel-After must be at least ${minimumMs / 1000}s, got "${value}"`,
    }
  }
  return { ok: true, ms }
}
