/** The data of Replicate's `error` and `done` events (docs/replicate-protocol.md C-8). */

/**
 * `event: error` data is `{"detail": "…"}`; fall back to the raw text
 * (docs/replicate-protocol.md C-8).
 */
export function parseDetail(data: string): string {
  const detail = parseJsonObject(data)?.detail
  return typeof detail === 'string' ? detail : data
}

/** `event: done` data is `{}`, or `{"reason": "canceled" | "error"}`. */
export function parseReason(data: string): string | undefined {
  const reason = parseJsonObject(data)?.reason
  return typeof reason === 'string' ? reason : undefined
}

function parseJsonObject(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data)
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
