/** One event block of a stream, ended by a blank line. */
export interface ScannedBlock {
  /** The block had a `data` field: the parser dispatches an event for it. */
  readonly data: boolean
  /** The value of the block's last `id` field (without NUL), if it had one. */
  readonly id: string | undefined
}

/**
 * Follows the block structure of a server-sent event stream beside the parser, for the one
 * thing eventsource-parser 3.x does not report: an `id` field in a block without `data`. WHATWG
 * HTML §9.2.6 ("dispatch the event") sets the last event ID from such a block although no event
 * is dispatched, so a reconnect must send it
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage).
 *
 * It reads only field names and `id` values, line by line (CRLF, LF or CR, split across chunks
 * anywhere), holds at most the current line's first characters or its `id` value, and reports
 * the blocks each chunk ended, in order, so the caller can interleave them with the parser's
 * events. An `id` longer than `maxIdLength` is not remembered, which bounds memory.
 */
export class BlockScanner {
  readonly #maxIdLength: number
  /** How much of a line is worth keeping: all of an `id` line (bounded), else its field name. */
  readonly #keep: number
  /** The start of a line the previous chunk left unfinished (enough to tell its field). */
  #line = ''
  #afterCR = false
  #data = false
  #id: string | undefined

  constructor(maxIdLength: number) {
    this.#maxIdLength = maxIdLength
    this.#keep = maxIdLength + 5
  }

  /** Scans `text`; returns the blocks it ended (a blank line closed them), in order. */
  feed(text: string): ScannedBlock[] {
    const blocks: ScannedBlock[] = []
    // Line endings are found with native searches, each kept until passed, so a chunk costs a
    // few comparisons per line, not a loop over every character.
    let nextLF = text.indexOf('\n')
    let nextCR = text.indexOf('\r')
    let start = 0
    for (;;) {
      if (nextLF !== -1 && nextLF < start) nextLF = text.indexOf('\n', start)
      if (nextCR !== -1 && nextCR < start) nextCR = text.indexOf('\r', start)
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR)
      if (end === -1) break
      const isCR = end === nextCR
      // A LF right after a CR completes the CRLF that the CR already ended.
      if (!isCR && this.#afterCR && end === start && this.#line === '') {
        this.#afterCR = false
        start = end + 1
        continue
      }
      this.#endLine(this.#line + text.slice(start, Math.min(end, start + this.#keep)), blocks)
      this.#line = ''
      this.#afterCR = isCR
      start = end + 1
    }
    if (start < text.length) {
      // Bounded however many chunks one line spans.
      this.#line = (this.#line + text.slice(start, start + this.#keep)).slice(0, this.#keep)
      this.#afterCR = false
    }
    return blocks
  }

  #endLine(line: string, blocks: ScannedBlock[]): void {
    if (line === '') {
      if (this.#id !== undefined && !this.#data) blocks.push({ data: false, id: this.#id })
      else if (this.#data) blocks.push(DATA_BLOCK)
      this.#data = false
      this.#id = undefined
      return
    }
    if (line === 'data' || line.startsWith('data:')) this.#data = true
    else if (line === 'id' || line.startsWith('id:')) {
      const value = line.slice(line.startsWith('id: ') ? 4 : 3)
      if (!value.includes('\0') && value.length <= this.#maxIdLength) this.#id = value
    }
  }
}

/** Every block with data looks the same to the caller: the parser reports its event and id. */
const DATA_BLOCK: ScannedBlock = Object.freeze({ data: true, id: undefined })
