/**
 * The stream fault: what happens to the next stream connections (refused, delayed, cut, stalled,
 * split into small writes, resumed with duplicates). Its declaration, its validation and its
 * refusal answer; `stream-cuts.ts` applies the rest to a connection's bytes.
 */
import type { ServerResponse } from 'node:http'
import { sendFaultBody } from './fault-body'
import { count, errorStatus, invalid, object, times, type Counted, type Repeated } from './rules'

/**
 * A position in a stream response: after `events` complete events (`output`, `logs`, `error`,
 * `done`; the `: hi` comment is not an event) plus `bytes` further bytes. `{ bytes: 7 }` is byte 7
 * of the body (inside the first event, since `: hi\n\n` is 6 bytes); `{ events: 3 }` is right after
 * the third event; `{ events: 3, bytes: 5 }` is 5 bytes into the fourth, which can fall inside a
 * multi-byte UTF-8 character.
 */
export interface StreamCut {
  /**
   * Complete events first.
   * @defaultValue `0`
   */
  events?: number
  /**
   * Then this many bytes.
   * @defaultValue `0`
   */
  bytes?: number
}

/**
 * What happens to the next stream connections (GET on a stream URL that exists). Section numbers
 * and case ids refer to `docs/replicate-protocol.md`.
 */
export interface StreamFault extends Repeated {
  /** Answer with this HTTP status (400–599) instead of a stream (§5 C-9). */
  status?: number
  /**
   * Body of a `status` answer: a string as-is, anything else as JSON.
   * @defaultValue a problem+json body with `status` and a `detail`
   */
  body?: unknown
  /** Hold the response (status line included) for this many ms before the first byte. */
  firstByteDelayMs?: number
  /** Cut the connection at this point (§2.5: EOF without `done`, C-7, C-36). */
  dropAfter?: StreamCut
  /**
   * How {@link StreamFault.dropAfter} cuts: `'eof'` ends the body cleanly, the way a proxy's idle
   * cut looks (the official JS client then ends normally, #367); `'reset'` destroys the socket
   * (TCP RST), which fetch reports as a network error.
   * @defaultValue `'eof'`
   */
  dropMode?: 'eof' | 'reset'
  /** Stop writing at this point but keep the connection open, without even the idle 408. */
  stallAfter?: StreamCut
  /**
   * Write every frame in pieces of `minBytes`–`maxBytes` bytes (seeded), one network write each,
   * so clients see chunk boundaries inside events and inside UTF-8 characters (C-5, C-6, C-23).
   */
  splitWrites?: {
    /** The smallest piece, in bytes (≥ 1). */
    minBytes: number
    /** The largest piece, in bytes (≥ `minBytes`). */
    maxBytes: number
  }
  /**
   * On a resumed connection (`Last-Event-ID`), also resend this many events before the one asked
   * for: duplicates a client must drop by id (§4 item 6).
   */
  resumeOverlap?: number
}

function resolveCut(value: unknown, name: string): StreamCut | undefined {
  if (value === undefined) return undefined
  const { events, bytes } = object(value, name)
  return { events: count(events, `${name}.events`) ?? 0, bytes: count(bytes, `${name}.bytes`) ?? 0 }
}

/** Validates one stream rule, applies its defaults and gives it its use count. */
export function resolveStreamFault(rule: StreamFault, name: string): Counted<StreamFault> {
  object(rule, name)
  const delay = rule.firstByteDelayMs
  if (delay !== undefined && !(typeof delay === 'number' && delay >= 0 && isFinite(delay))) {
    invalid(`${name}.firstByteDelayMs must be a number ≥ 0`)
  }
  if (rule.dropMode !== undefined && rule.dropMode !== 'eof' && rule.dropMode !== 'reset') {
    invalid(`${name}.dropMode must be 'eof' or 'reset'`)
  }
  let splitWrites: StreamFault['splitWrites']
  if (rule.splitWrites !== undefined) {
    const { minBytes, maxBytes } = object(rule.splitWrites, `${name}.splitWrites`)
    const min = count(minBytes, `${name}.splitWrites.minBytes`, 1)
    const max = count(maxBytes, `${name}.splitWrites.maxBytes`, 1)
    if (min === undefined || max === undefined || min > max) {
      invalid(`${name}.splitWrites needs integers 1 ≤ minBytes ≤ maxBytes`)
    }
    splitWrites = { minBytes: min, maxBytes: max }
  }
  return {
    times: times(rule, name),
    ...(rule.status === undefined ? {} : { status: errorStatus(rule.status, `${name}.status`) }),
    ...(rule.body === undefined ? {} : { body: rule.body }),
    ...(delay === undefined ? {} : { firstByteDelayMs: delay }),
    ...(rule.dropAfter === undefined
      ? {}
      : { dropAfter: resolveCut(rule.dropAfter, `${name}.dropAfter`) }),
    dropMode: rule.dropMode ?? 'eof',
    ...(rule.stallAfter === undefined
      ? {}
      : { stallAfter: resolveCut(rule.stallAfter, `${name}.stallAfter`) }),
    ...(splitWrites ? { splitWrites } : {}),
    ...(rule.resumeOverlap === undefined
      ? {}
      : { resumeOverlap: count(rule.resumeOverlap, `${name}.resumeOverlap`) }),
  }
}

/**
 * Answers a stream request with the fault's `status` instead of a stream. Returns `false`, having
 * written nothing, when the fault refuses nothing.
 */
export function sendStreamFaultStatus(
  res: ServerResponse,
  fault: StreamFault | undefined,
): boolean {
  if (fault?.status === undefined) return false
  sendFaultBody(res, fault.status, fault.body, 'Simulated stream failure')
  return true
}
