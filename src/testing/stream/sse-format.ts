/**
 * Byte framing of Replicate's prediction stream, reproduced from nchan (the nginx module the
 * stream endpoint is built on). See `docs/replicate-protocol.md` §2.4 for the rules and examples
 * and §2.1 for why nchan is the reference.
 */
import type { PublishedEvent } from '../predictions/published-events'

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
export function formatEvent({ event, id, data }: PublishedEvent): string {
  // Most payloads (a token) hold no line feed: one template, no array per event.
  const lines = data.includes('\n') ? data.split('\n').join('\ndata: ') : data
  return `event: ${event}\nid: ${id}\ndata: ${lines}\n\n`
}
