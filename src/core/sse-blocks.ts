/** A block that had an `id` field and no `data` field: no event, but a new last event ID. */
export interface IdOnlyBlock {
  /** How many blocks with data ended before it, counted from the start of the stream. */
  readonly dataBlocksBefore: number
  /** The value of the block's last `id` field (without NUL). */
  readonly id: string
}

const NONE: readonly IdOnlyBlock[] = Object.freeze([])
const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32

/**
 * Follows the block structure of a server-sent event stream beside the parser, for the one
 * thing eventsource-parser 3.x does not report: an `id` field in a block without `data`. WHATWG
 * HTML §9.2.6 ("dispatch the event") sets the last event ID from such a block although no event
 * is dispatched, so a reconnect must send it
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage).
 *
 * It reads only field names, line by line (CRLF, LF or CR, split across chunks anywhere), and
 * counts the blocks with data, so the caller can put an id-only block between the parser's
 * events. It runs over every byte of the stream a second time, so it allocates nothing for a
 * line it does not keep: field names are compared in place, an `id` value is sliced only when
 * its block ends without data (or the chunk ends inside the block). It holds at most the current
 * line's first characters or its `id` value; an `id` longer than `maxIdLength` is not
 * remembered, which bounds memory.
 */
export class BlockScanner {
  readonly #maxIdLength: number
  /** How much of an unfinished line is worth keeping: all of an `id` line (bounded), else its name. */
  readonly #keep: number
  /** The start of a line the previous chunk left unfinished (enough to tell its field). */
  #line = ''
  #afterCR = false
  #data = false
  /** The block's `id` value, once it has been sliced out of its chunk. */
  #id: string | undefined
  /** Where the block's `id` value lies in the chunk being scanned, when it is not sliced yet. */
  #idStart = -1
  #idEnd = -1
  #dataBlocks = 0

  constructor(maxIdLength: number) {
    this.#maxIdLength = maxIdLength
    this.#keep = maxIdLength + 5
  }

  /** Blocks with data ended so far, in the whole stream. */
  get dataBlocks(): number {
    return this.#dataBlocks
  }

  /**
   * Scans `text`; returns the id-only blocks it ended (a blank line closed them), in order, and
   * a shared empty array when there were none (the usual case: Replicate's events all carry data).
   */
  feed(text: string): readonly IdOnlyBlock[] {
    const found: IdOnlyBlock[] = []
    // Replicate frames events with LF only, and every event has data: such blocks are passed
    // whole, two native searches each, and only a block without data is read line by line.
    const wholeBlocks = text.indexOf('\r') === -1
    const data = { at: -2 }
    let start = 0
    while (start < text.length) {
      if (wholeBlocks && this.#atBlockBoundary()) {
        start = this.#passDataBlocks(text, start, data)
        if (start === text.length) break
      }
      start = this.#scanLines(text, start, wholeBlocks, found)
    }
    // A block still open keeps its id beyond this chunk.
    this.#keepId(text)
    return found.length > 0 ? found : NONE
  }

  /** No field of the current block seen that matters, no line or CRLF half-read. */
  #atBlockBoundary(): boolean {
    return (
      this.#line === '' &&
      !this.#afterCR &&
      !this.#data &&
      this.#id === undefined &&
      this.#idStart === -1
    )
  }

  /**
   * Counts the blocks from `start` (a line start, LF-only text) that end in `text` and have a
   * `data` field; stops at the first that has none or does not end here. `data.at` remembers
   * the next `\ndata` found (or -1), so a run of blocks without data is not searched twice.
   */
  #passDataBlocks(text: string, start: number, data: { at: number }): number {
    let at = start
    while (at < text.length) {
      if (text.charCodeAt(at) === LF) {
        at += 1 // a blank line with no field before it ends nothing
        continue
      }
      const end = text.indexOf('\n\n', at)
      if (end === -1 || !hasDataField(text, at, end, data)) return at
      this.#dataBlocks += 1
      at = end + 2
    }
    return at
  }

  /**
   * Reads lines from `start` until the text ends (keeping an unfinished line) or, when
   * `untilBlockEnd` (only for text without CR), just after a blank line. Returns where it stopped.
   */
  #scanLines(text: string, start: number, untilBlockEnd: boolean, found: IdOnlyBlock[]): number {
    // Line endings are found with native searches, each kept until passed, so a chunk costs a
    // few comparisons per line, not a loop over every character.
    let nextLF = text.indexOf('\n', start)
    // LF-only text is read a block at a time: searching it for a CR each time would be quadratic.
    let nextCR = untilBlockEnd ? -1 : text.indexOf('\r', start)
    let at = start
    for (;;) {
      if (nextLF !== -1 && nextLF < at) nextLF = text.indexOf('\n', at)
      if (nextCR !== -1 && nextCR < at) nextCR = text.indexOf('\r', at)
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR)
      if (end === -1) break
      const isCR = text.charCodeAt(end) === CR
      // A LF right after a CR completes the CRLF that the CR already ended.
      if (!isCR && this.#afterCR && end === at && this.#line === '') {
        this.#afterCR = false
        at = end + 1
        continue
      }
      let ended: IdOnlyBlock | undefined
      const blank = end === at && this.#line === ''
      if (this.#line === '') ended = this.#endLine(text, at, end)
      else {
        const line = this.#line + text.slice(at, Math.min(end, at + this.#keep))
        this.#line = ''
        ended = this.#endLine(line, 0, line.length)
        this.#keepId(line)
      }
      if (ended) found.push(ended)
      this.#afterCR = isCR
      at = end + 1
      if (blank && untilBlockEnd) return at
    }
    if (at < text.length) {
      // Bounded however many chunks one line spans.
      this.#line = (this.#line + text.slice(at, at + this.#keep)).slice(0, this.#keep)
      this.#afterCR = false
    }
    return text.length
  }

  /** Slices the block's `id` out of `text`, the string its positions refer to. */
  #keepId(text: string): void {
    if (this.#idStart === -1) return
    this.#id = text.slice(this.#idStart, this.#idEnd)
    this.#idStart = -1
  }

  /** One line, `text[start, end)`; returns the id-only block a blank line ended, if any. */
  #endLine(text: string, start: number, end: number): IdOnlyBlock | undefined {
    const length = end - start
    if (length === 0) {
      let ended: IdOnlyBlock | undefined
      if (this.#data) this.#dataBlocks += 1
      else if (this.#idStart !== -1 || this.#id !== undefined) {
        const id = this.#idStart !== -1 ? text.slice(this.#idStart, this.#idEnd) : this.#id
        ended = { dataBlocksBefore: this.#dataBlocks, id: id as string }
      }
      this.#data = false
      this.#id = undefined
      this.#idStart = -1
      return ended
    }
    const first = text.charCodeAt(start)
    if (first === 100 && isField(text, start, length, 'data')) this.#data = true
    else if (first === 105 && isField(text, start, length, 'id')) {
      const from = start + (length > 3 && text.charCodeAt(start + 3) === SPACE ? 4 : 3)
      const to = Math.max(from, end)
      if (to - from <= this.#maxIdLength && !hasNul(text, from, to)) {
        this.#id = undefined
        this.#idStart = from
        this.#idEnd = to
      }
    }
    return undefined
  }
}

/** `text[start, start + length)` is the field `name`: the name alone, or the name and a colon. */
function isField(text: string, start: number, length: number, name: string): boolean {
  if (length < name.length || !text.startsWith(name, start)) return false
  return length === name.length || text.charCodeAt(start + name.length) === COLON
}

/** WHATWG §9.2.6 ignores an `id` field whose value contains NUL. Ids are short: a loop is cheap. */
function hasNul(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) if (text.charCodeAt(index) === 0) return true
  return false
}

/**
 * The block `text[start, end)` (LF-only, `end` at the LF that ends its last line) has a `data`
 * field: its first line, or a line after a LF, named `data` alone or followed by a colon.
 */
function hasDataField(text: string, start: number, end: number, data: { at: number }): boolean {
  if (text.startsWith('data', start)) {
    const after = text.charCodeAt(start + 4)
    if (after === COLON || after === LF) return true
  }
  for (;;) {
    if (data.at !== -1 && data.at < start) data.at = text.indexOf('\ndata', start)
    if (data.at === -1 || data.at >= end) return false
    const after = text.charCodeAt(data.at + 5)
    if (after === COLON || after === LF) return true
    data.at = text.indexOf('\ndata', data.at + 1)
  }
}
