/**
 * One open stream response: writes frames in order, keeps the idle timeout (§2.5) and applies the
 * connection's faults at exact byte positions (drop, stall, split writes; `faults.ts`).
 */
import type { ServerResponse } from 'node:http'
import type { StreamCut } from './faults'
import { randomInt, type Random } from './random'
import { formatEvent, IDLE_TIMEOUT_FRAME, type StreamEvent } from './sse-format'

/** How one connection behaves. */
export interface ConnectionPlan {
  /** Idle time in ms after which the `:408` frame is written and the stream ends. */
  idleTimeoutMs: number
  /** End the response right after `done` (Replicate keeps it open until the idle timeout). */
  closeAfterDone: boolean
  dropAfter?: StreamCut
  dropMode?: 'eof' | 'reset'
  stallAfter?: StreamCut
  /** Write each frame in pieces of `minBytes`–`maxBytes`, drawn from `random`. */
  splitWrites?: { minBytes: number; maxBytes: number; random: Random }
}

type Halt = 'drop' | 'stall' | 'end'
type Item = Buffer | Halt

/** A resolved cut: fires once `events` complete events have been queued, `bytes` later. */
interface PendingCut {
  readonly halt: 'drop' | 'stall'
  readonly events: number
  readonly bytes: number
  /** Absolute body offset, known once the event count is reached. */
  at: number | undefined
}

/**
 * Writes a stream response. Cut positions are decided when a frame is queued, on the logical
 * byte count of the body, so a cut lands on the same byte whatever the network does; the queue
 * then writes pieces (one `write` each, with a turn of the event loop between split pieces so
 * they leave as separate TCP segments: `setNoDelay` is on).
 */
export class StreamConnection {
  readonly #res: ServerResponse
  readonly #plan: ConnectionPlan
  readonly #cuts: PendingCut[]
  readonly #queue: Item[] = []
  #queuedBytes = 0
  #queuedEvents = 0
  /** No more frames are accepted (a halt is queued). */
  #halted = false
  #flushing = false
  #closed = false
  #idleTimer: NodeJS.Timeout | undefined
  /** Writes handed to the socket whose callback has not run yet. */
  #pendingWrites = 0
  #whenFlushed: (() => void) | undefined

  constructor(res: ServerResponse, plan: ConnectionPlan) {
    this.#res = res
    this.#plan = plan
    this.#cuts = [
      ...(plan.dropAfter
        ? [{ halt: 'drop' as const, ...cutOf(plan.dropAfter), at: undefined }]
        : []),
      ...(plan.stallAfter
        ? [{ halt: 'stall' as const, ...cutOf(plan.stallAfter), at: undefined }]
        : []),
    ]
    res.on('close', () => {
      this.#closed = true
      clearTimeout(this.#idleTimer)
      this.#queue.length = 0
    })
    // Cuts at `events: 0` count from the first byte of the body.
    this.#resolveCuts()
    this.#haltIfDue()
  }

  /** Queues a comment frame such as `: hi\n\n`. */
  sendComment(frame: string): void {
    this.#enqueue(Buffer.from(frame), false)
  }

  /** Queues one event, framed as §2.4; ends the response after `done` with `closeAfterDone`. */
  sendEvent(event: StreamEvent): void {
    this.#enqueue(Buffer.from(formatEvent(event)), true)
    if (event.event === 'done' && this.#plan.closeAfterDone) this.end()
  }

  /** Ends the response once everything queued has been written. */
  end(): void {
    if (this.#halted) return
    this.#halted = true
    this.#queue.push('end')
    this.#flush()
  }

  #enqueue(frame: Buffer, isEvent: boolean): void {
    if (this.#halted || this.#closed) return
    const cut = this.#nextCut()
    if (cut?.at !== undefined && cut.at < this.#queuedBytes + frame.length) {
      // The cut falls inside this frame: write its head only (possibly half a UTF-8 character).
      this.#queue.push(frame.subarray(0, cut.at - this.#queuedBytes), cut.halt)
      this.#queuedBytes = cut.at
      this.#halted = true
      this.#flush()
      return
    }
    this.#queue.push(frame)
    this.#queuedBytes += frame.length
    if (isEvent) this.#queuedEvents += 1
    this.#resolveCuts()
    this.#haltIfDue()
    this.#flush()
  }

  /** Gives each cut its absolute offset once its event count has been queued. */
  #resolveCuts(): void {
    for (const cut of this.#cuts) {
      if (cut.at === undefined && this.#queuedEvents >= cut.events) {
        cut.at = this.#queuedBytes + cut.bytes
      }
    }
  }

  /** The cut that comes first in the body. */
  #nextCut(): PendingCut | undefined {
    const known = this.#cuts.filter((cut) => cut.at !== undefined)
    return known.sort((a, b) => a.at! - b.at!)[0]
  }

  /** Halts now if the next cut is exactly at the end of what is queued. */
  #haltIfDue(): void {
    const cut = this.#nextCut()
    if (cut?.at !== undefined && cut.at <= this.#queuedBytes && !this.#halted) {
      this.#halted = true
      this.#queue.push(cut.halt)
      this.#flush()
    }
  }

  #flush(): void {
    if (this.#flushing) return
    const split = this.#plan.splitWrites
    while (this.#queue.length > 0 && !this.#closed) {
      const item = this.#queue.shift()!
      if (typeof item === 'string') {
        this.#apply(item)
        continue
      }
      if (!split) {
        this.#write(item)
        continue
      }
      const size = Math.min(item.length, randomInt(split.random, split.minBytes, split.maxBytes))
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

  #write(chunk: Buffer): void {
    // The server may have ended the response (close()) while split pieces were pending.
    if (chunk.length === 0 || this.#res.writableEnded || this.#res.destroyed) return
    this.#pendingWrites += 1
    this.#res.write(chunk, () => {
      this.#pendingWrites -= 1
      if (this.#pendingWrites === 0) this.#whenFlushed?.()
    })
    this.#resetIdleTimer()
  }

  /**
   * nchan resets the subscriber timer on every message, so this is an *idle* timeout (§2.5): a
   * client that ignores `done` gets the 408 frame once the stream has been quiet long enough.
   * Once a drop, stall or end is queued no timeout may fire any more.
   */
  #resetIdleTimer(): void {
    clearTimeout(this.#idleTimer)
    if (this.#halted) return
    this.#idleTimer = setTimeout(() => {
      this.#enqueue(Buffer.from(IDLE_TIMEOUT_FRAME), false)
      this.end()
    }, this.#plan.idleTimeoutMs)
  }

  #apply(halt: Halt): void {
    clearTimeout(this.#idleTimer)
    if (halt === 'stall' || this.#res.writableEnded) return // keep the socket open and silent until the client leaves
    if (halt === 'drop' && this.#plan.dropMode === 'reset') {
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

function cutOf(cut: StreamCut): { events: number; bytes: number } {
  return { events: cut.events ?? 0, bytes: cut.bytes ?? 0 }
}
