/**
 * One open stream response: writes frames in order, keeps the idle timeout
 * (`docs/replicate-protocol.md` §2.5) and applies the connection's stream fault at exact byte
 * positions (drop, stall, split writes: `src/testing/faults/stream-cuts.ts`).
 */
import type { ServerResponse } from 'node:http'
import type { ConnectionFaults, CutHalt } from '../faults/stream-cuts'
import type { PublishedEvent } from '../predictions/published-events'
import { formatEvent, IDLE_TIMEOUT_FRAME } from './sse-format'

/** How one connection behaves. */
export interface ConnectionPlan {
  /** Idle time in ms after which the `:408` frame is written and the stream ends. */
  idleTimeoutMs: number
  /** End the response right after `done` (Replicate keeps it open until the idle timeout). */
  closeAfterDone: boolean
  /** The connection's stream fault: its cuts and split writes. */
  faults: ConnectionFaults
}

type Halt = CutHalt | 'end'
type Item = Buffer | Halt

/**
 * Writes a stream response. Where the body is cut is decided as frames are queued (see
 * `StreamCuts`); the queue then writes pieces (one `write` each, with a turn of the event loop
 * between split pieces so they leave as separate TCP segments: `setNoDelay` is on).
 */
export class StreamConnection {
  readonly #res: ServerResponse
  readonly #plan: ConnectionPlan
  readonly #queue: Item[] = []
  /**
   * No cut and no split writes: frames go straight to `res.write` as strings, with no queue, no
   * byte count and no `Buffer` per frame. This is every connection without a stream fault, e.g.
   * each of the 1,000 streams of the capacity bench.
   */
  readonly #plain: boolean
  /** No more frames are accepted (a halt is queued). */
  #halted = false
  #flushing = false
  #closed = false
  #idleTimer: NodeJS.Timeout | undefined
  /** When the last write was handed to the response (`performance.now()`). */
  #lastWriteAt = 0
  /** Writes handed to the socket whose callback has not run yet. */
  #pendingWrites = 0
  #whenFlushed: (() => void) | undefined

  constructor(res: ServerResponse, plan: ConnectionPlan) {
    this.#res = res
    this.#plan = plan
    this.#plain = plan.faults.cuts.none && !plan.faults.pieceSize
    res.on('close', () => {
      this.#closed = true
      this.#clearIdleTimer()
      this.#queue.length = 0
    })
    const halt = plan.faults.cuts.atStart()
    if (halt) this.#halt(halt)
  }

  /** Queues a comment frame such as `: hi\n\n`. */
  sendComment(frame: string): void {
    this.#enqueue(frame, false)
  }

  /** Queues one event, framed as §2.4; ends the response after `done` with `closeAfterDone`. */
  sendEvent(event: PublishedEvent): void {
    this.#enqueue(formatEvent(event), true)
    if (event.event === 'done' && this.#plan.closeAfterDone) this.end()
  }

  /** Ends the response once everything queued has been written. */
  end(): void {
    if (!this.#halted) this.#halt('end')
  }

  #enqueue(text: string, isEvent: boolean): void {
    if (this.#halted || this.#closed) return
    // A plain connection never has a frame queued (only a halt, which sets `#halted`), so
    // writing at once keeps the order.
    if (this.#plain) return this.#write(text)
    const frame = Buffer.from(text)
    // A cut inside this frame leaves its head only (possibly half a UTF-8 character).
    const { bytes, halt } = this.#plan.faults.cuts.take(frame.length, isEvent)
    this.#queue.push(bytes < frame.length ? frame.subarray(0, bytes) : frame)
    if (halt) this.#halt(halt)
    else this.#flush()
  }

  /** Queues `halt` after what is queued; no frame is accepted after it. */
  #halt(halt: Halt): void {
    this.#halted = true
    this.#queue.push(halt)
    this.#flush()
  }

  #flush(): void {
    if (this.#flushing) return
    const { pieceSize } = this.#plan.faults
    while (this.#queue.length > 0 && !this.#closed) {
      const item = this.#queue.shift()!
      if (typeof item === 'string') {
        this.#apply(item)
        continue
      }
      if (!pieceSize) {
        this.#write(item)
        continue
      }
      const size = pieceSize(item.length)
      this.#write(item.subarray(0, size))
      if (size < item.length) this.#queue.unshift(item.subarray(size))
      // Let this piece leave before the next one, so it is its own read on the client.
      this.#flushing = true
      setImmediate(() => {
        this.#flushing = false
        this.#flush()
      })
      return
    }
  }

  #write(chunk: Buffer | string): void {
    // The server may have ended the response (close()) while split pieces were pending.
    if (chunk.length === 0 || this.#res.writableEnded || this.#res.destroyed) return
    // Only a reset needs to know when the writes have left; a callback per write costs a tick.
    if (this.#plain) this.#res.write(chunk)
    else {
      this.#pendingWrites += 1
      this.#res.write(chunk, this.#written)
    }
    this.#resetIdleTimer()
  }

  /** One callback for every write, rather than a new closure per frame. */
  readonly #written = (): void => {
    this.#pendingWrites -= 1
    if (this.#pendingWrites === 0) this.#whenFlushed?.()
  }

  /**
   * nchan resets the subscriber timer on every message, so this is an *idle* timeout (§2.5): a
   * client that ignores `done` gets the 408 frame once the stream has been quiet long enough.
   * Once a drop, stall or end is queued no timeout may fire any more.
   */
  #resetIdleTimer(): void {
    if (this.#halted) return this.#clearIdleTimer()
    // A write only notes the time; the one timer checks it when it fires and waits out the rest.
    // Re-arming a timer per frame (even with `refresh()`) is timer-list work on every write of a
    // busy server (1,000 streams at 50 tokens/s), for a timeout that almost never fires.
    this.#lastWriteAt = performance.now()
    this.#idleTimer ??= setTimeout(this.#idleCheck, this.#plan.idleTimeoutMs)
  }

  readonly #idleCheck = (): void => {
    const quietMs = performance.now() - this.#lastWriteAt
    if (quietMs < this.#plan.idleTimeoutMs) {
      this.#idleTimer = setTimeout(this.#idleCheck, this.#plan.idleTimeoutMs - quietMs)
      return
    }
    this.#idleTimer = undefined
    this.#enqueue(IDLE_TIMEOUT_FRAME, false)
    this.end()
  }

  #clearIdleTimer(): void {
    clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
  }

  #apply(halt: Halt): void {
    this.#clearIdleTimer()
    if (halt === 'stall' || this.#res.writableEnded) return // keep the socket open and silent until the client leaves
    if (halt === 'drop' && this.#plan.faults.dropMode === 'reset') {
      // An abrupt close: no chunked terminator, RST instead of FIN. Only once what was written
      // has left: a reset discards unsent data, and the point of a cut is the bytes before it.
      const reset = (): void => {
        const socket = this.#res.socket
        if (socket && !socket.destroyed) socket.resetAndDestroy()
      }
      if (this.#pendingWrites === 0) setImmediate(reset)
      else this.#whenFlushed = () => setImmediate(reset)
      return
    }
    this.#res.end()
  }
}
