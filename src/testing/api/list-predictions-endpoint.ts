/**
 * `GET /v1/predictions`: newest first, 100 per page, `next`/`previous` cursor URLs, filters
 * `created_after`, `created_before` and `source` (`docs/replicate-protocol.md` §1.1, OpenAPI
 * `predictions.list`).
 */
import type { Prediction } from '../../core/prediction'
import type { Problem } from '../http/responses'
import type { PredictionStore } from '../predictions/prediction-store'

/** Replicate's page size. */
export const PAGE_SIZE = 100

/** A page of predictions, `schemas_paginated_prediction_response`. */
export interface PredictionPage {
  next: string | null
  previous: string | null
  results: Prediction[]
}

/**
 * Cursors name a creation sequence number, so pages stay stable while new predictions arrive:
 * `b<seq>` = the page of older predictions before `seq`, `a<seq>` = the page of newer ones after
 * it. Encoded in base64url so clients treat them as opaque, as Replicate's are.
 */
function encodeCursor(direction: 'a' | 'b', seq: number): string {
  return Buffer.from(`${direction}${seq}`).toString('base64url')
}

function decodeCursor(cursor: string): { direction: 'a' | 'b'; seq: number } | undefined {
  const match = /^([ab])(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())
  return match ? { direction: match[1] as 'a' | 'b', seq: Number(match[2]) } : undefined
}

function parseDate(url: URL, name: string): number | Problem | undefined {
  const value = url.searchParams.get(name)
  if (value === null) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms)
    ? { detail: `${name} must be an ISO 8601 date-time, got "${value}"`, status: 400 }
    : ms
}

/**
 * One page of `store`'s predictions for the query of `url`. `origin` is the API origin the page
 * links are built on. Returns a 400 problem for a malformed date, `source` or cursor.
 */
export function listPredictions(
  store: PredictionStore,
  url: URL,
  origin: string,
): PredictionPage | Problem {
  const after = parseDate(url, 'created_after')
  const before = parseDate(url, 'created_before')
  if (typeof after === 'object') return after
  if (typeof before === 'object') return before
  const source = url.searchParams.get('source')
  if (source !== null && source !== 'web') {
    return { detail: `source must be "web", got "${source}"`, status: 400 }
  }
  const rawCursor = url.searchParams.get('cursor')
  const cursor = rawCursor === null ? undefined : decodeCursor(rawCursor)
  if (rawCursor !== null && !cursor) return { detail: 'Invalid cursor', status: 400 }

  // Every prediction here comes from the API, so `source=web` (web predictions only) is empty.
  const matching = store
    .history()
    .filter(
      (entry) =>
        source === null &&
        (after === undefined || entry.createdMs >= after) &&
        (before === undefined || entry.createdMs < before),
    )
    .reverse()
  let start = 0
  let end = PAGE_SIZE
  if (cursor?.direction === 'b') {
    start = matching.findIndex((entry) => entry.seq < cursor.seq)
    if (start === -1) start = matching.length
    end = start + PAGE_SIZE
  } else if (cursor?.direction === 'a') {
    end = matching.filter((entry) => entry.seq > cursor.seq).length
    start = Math.max(0, end - PAGE_SIZE)
  }
  const page = matching.slice(start, end)
  const link = (direction: 'a' | 'b', seq: number): string => {
    const query = new URLSearchParams(url.searchParams)
    query.set('cursor', encodeCursor(direction, seq))
    return `${origin}/v1/predictions?${query.toString()}`
  }
  return {
    next: end < matching.length && page.length > 0 ? link('b', page.at(-1)!.seq) : null,
    previous: start > 0 && page.length > 0 ? link('a', page[0]!.seq) : null,
    results: page.map((entry) => entry.prediction),
  }
}
