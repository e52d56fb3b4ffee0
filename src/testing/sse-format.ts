/**
 * Byte framing of Replicate's prediction stream, reproduced from nchan (the nginx module the
 * stream endpoint is built on). See `replicate-protocol.md` §2.4 for the rules and examples and
 * §2.1 for why nchan is the reference.
 */

/**
 * The event types Replicate sends (§2.3). `logs` is only published when the server's `streamLogs`
 * option is on, because the Go and Python clients break on it (§2.6).
 */
export type StreamEventType = 'output' | 'logs' | 'error' | 'done'

/** One published message of a prediction, as retained for replay. */
export interface StreamEvent {
  event: StreamEventType
  /** `<unix seconds>:<n>` (§2.5). */
  id: string
  /** The payload: the verbatim output item or log text, or the JSON text of `error` / `done`. */
  data: string
}

/** The comment nchan writes when a subscriber connects; always the first bytes (§2.1). */
export const HANDSHAKE_FRAME = ': hi\n\n'

/** nchan's status frame `":%i: %V\n\n"` for the idle timeout; the connection closes after it. */
export const IDLE_TIMEOUT_FRAME = ':408: 408 Request Timeout\n\n'

/**
 * Frames one event exactly as nchan does (§2.4): `event`, `id`, then the payload split at every
 * `\n` into `data: ` lines, then a blank line. LF only, because Go's decoders do not handle CRLF.
 *
 * Splitting at `\n` and joining the pieces with `\ndata: ` is nchan's rule in one step: a piece
 * keeps its `\n`, and a payload ending in `\n` gets a final empty `data: ` line, so a WHATWG parser
 * restores the payload byte for byte (`"hello\n"` → `data: hello\ndata: \n\n`). Only `\n` is
 * special; a lone `\r` is written as-is, as nchan does (§5.3 C-34).
 *
 * @example formatEvent({ event: 'output', id: '1690212292:0', data: ' world' })
 * // 'event: output\nid: 1690212292:0\ndata:  world\n\n'
 */
export function formatEvent({ event, id, data }: StreamEvent): string {
  return `event: ${event}\nid: ${id}\ndata: ${data.split('\n').join('\ndata: ')}\n\n`
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
 * Makes nchan-style message ids `<unix seconds>:<n>`: `n` restarts at 0 in each new second and
 * counts up within a second (§2.5). The seconds never go backwards, so ids of one prediction stay
 * strictly ordered even if the wall clock is adjusted.
 *
 * @param now - clock in milliseconds; injectable for tests.
 */
export function createEventIdGenerator(now: () => number = Date.now): () => string {
  let lastSecond = -1
  let tag = 0
  return () => {
    const second = Math.max(Math.floor(now() / 1000), lastSecond)
    tag = second === lastSecond ? tag + 1 : 0
    lastSecond = second
    return `${second}:${tag}`
  }
}
