/**
 * How a stream fault is applied to one connection's bytes: where the body is cut (`dropAfter`,
 * `stallAfter`) and how the writes are split (`splitWrites`). Cut positions are decided when a
 * frame is queued, on the logical byte count of the body, so a cut lands on the same byte
 * whatever the network does.
 */
import { randomInt, type Random } from '../predictions/random'
import type { StreamCut, StreamFault } from './stream-fault'

/** What a cut does: `'drop'` ends the response (or resets it), `'stall'` goes silent. */
export type CutHalt = 'drop' | 'stall'

/** A cut: fires once `events` complete events have been queued, `bytes` later. */
interface PendingCut {
  readonly halt: CutHalt
  readonly events: number
  readonly bytes: number
  /** Absolute body offset, known once the event count is reached. */
  at: number | undefined
}

function pending(halt: CutHalt, cut: StreamCut | undefined): PendingCut[] {
  return cut ? [{ halt, events: cut.events ?? 0, bytes: cut.bytes ?? 0, at: undefined }] : []
}

/** The cuts of one connection, following the body as its frames are queued. */
export class StreamCuts {
  readonly #cuts: PendingCut[]
  #bytes = 0
  #events = 0

  constructor(fault: Pick<StreamFault, 'dropAfter' | 'stallAfter'> | undefined) {
    this.#cuts = [...pending('drop', fault?.dropAfter), ...pending('stall', fault?.stallAfter)]
    // Cuts at `events: 0` count from the first byte of the body.
    this.#resolve()
  }

  /** No cut at all: the body is written whole. */
  get none(): boolean {
    return this.#cuts.length === 0
  }

  /** The halt due before the first byte of the body (a cut at event 0, byte 0), if any. */
  atStart(): CutHalt | undefined {
    return this.#due()
  }

  /**
   * Accounts for a frame of `length` bytes about to be queued: how many of its bytes to write,
   * and the halt that follows them when a cut falls inside the frame (possibly inside a UTF-8
   * character) or right at its end.
   */
  take(length: number, isEvent: boolean): { bytes: number; halt: CutHalt | undefined } {
    const cut = this.#next()
    if (cut?.at !== undefined && cut.at < this.#bytes + length) {
      const bytes = cut.at - this.#bytes
      this.#bytes = cut.at
      return { bytes, halt: cut.halt }
    }
    this.#bytes += length
    if (isEvent) this.#events += 1
    this.#resolve()
    return { bytes: length, halt: this.#due() }
  }

  /** Gives each cut its absolute offset once its event count has been queued. */
  #resolve(): void {
    for (const cut of this.#cuts) {
      if (cut.at === undefined && this.#events >= cut.events) cut.at = this.#bytes + cut.bytes
    }
  }

  /** The cut that comes first in the body. */
  #next(): PendingCut | undefined {
    const known = this.#cuts.filter((cut) => cut.at !== undefined)
    return known.sort((a, b) => a.at! - b.at!)[0]
  }

  /** The halt of the next cut when it is exactly at the end of what is queued. */
  #due(): CutHalt | undefined {
    const cut = this.#next()
    return cut?.at !== undefined && cut.at <= this.#bytes ? cut.halt : undefined
  }
}

/** A stream fault as one connection applies it. */
export interface ConnectionFaults {
  readonly cuts: StreamCuts
  /** How a `'drop'` cut ends the connection. */
  readonly dropMode: 'eof' | 'reset'
  /** The size of the next write of a frame with `length` bytes left; absent: write it whole. */
  readonly pieceSize: ((length: number) => number) | undefined
}

/**
 * What `fault` does to one connection. `random` is the connection's own seeded generator, so
 * concurrent connections cannot change each other's split points.
 */
export function connectionFaults(fault: StreamFault | undefined, random: Random): ConnectionFaults {
  const split = fault?.splitWrites
  return {
    cuts: new StreamCuts(fault),
    dropMode: fault?.dropMode ?? 'eof',
    pieceSize: split
      ? (length) => Math.min(length, randomInt(random, split.minBytes, split.maxBytes))
      : undefined,
  }
}
