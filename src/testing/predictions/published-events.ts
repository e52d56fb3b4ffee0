/**
 * What a prediction publishes on its stream, before any framing: the event record a simulated
 * prediction retains for replay, its nchan-style ids, and the `error` and `done` payloads
 * (`docs/replicate-protocol.md` §2.3–2.5). `src/testing/stream/sse-format.ts` turns these into
 * bytes.
 */

/**
 * The event types Replicate sends (§2.3). `logs` is only published when the server's `streamLogs`
 * option is on, because the Go and Python clients break on it (§2.6).
 */
export type PublishedEventType = 'output' | 'logs' | 'error' | 'done'

/** One message a prediction published, as retained for replay. */
export interface PublishedEvent {
  event: PublishedEventType
  /** `<unix seconds>:<n>` (§2.5). */
  id: string
  /** The payload: the verbatim output item or log text, or the JSON text of `error` / `done`. */
  data: string
}

/**
 * The `done` payload. Written with a space after the colon, exactly as Replicate's streaming docs
 * show it (`{"reason": "canceled"}`); success is `{}` because the JS client drops events without a
 * `data:` line (§2.4, C-22).
 */
export function doneData(reason?: 'canceled' | 'error'): string {
  return reason === undefined ? '{}' : `{"reason": "${reason}"}`
}

/**
 * The `error` payload `{"detail": "…"}`, spaced like the docs' example. The detail goes through
 * `JSON.stringify`, so quotes and newlines are escaped and the payload stays a single `data:` line.
 */
export function errorData(detail: string): string {
  return `{"detail": ${JSON.stringify(detail)}}`
}

/**
 * nchan's id rule as numbers: each message gets `<unix seconds>:<n>`, where `n` restarts at 0 in
 * each new second and counts up within a second (§2.5). The seconds never go backwards, so ids of
 * one prediction stay strictly ordered even if the wall clock is adjusted.
 */
export class EventIdClock {
  /** The seconds of the last id; `-1` before the first. */
  second = -1
  /** The `n` of the last id. */
  tag = 0
  readonly #now: () => number

  /** @param now - clock in milliseconds; injectable for tests. */
  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Moves to the next id (read it from `second` and `tag`). */
  next(): void {
    const second = Math.max(Math.floor(this.#now() / 1000), this.second)
    this.tag = second === this.second ? this.tag + 1 : 0
    this.second = second
  }
}

/**
 * Makes nchan-style message ids `<unix seconds>:<n>` as strings (see {@link EventIdClock}).
 *
 * @param now - clock in milliseconds; injectable for tests.
 */
export function createEventIdGenerator(now: () => number = Date.now): () => string {
  const clock = new EventIdClock(now)
  return () => {
    clock.next()
    return `${clock.second}:${clock.tag}`
  }
}
