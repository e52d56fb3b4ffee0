'use client'
import { useLayoutEffect, useRef, useState } from 'react'

/** Text nodes grow by `appendData` up to this many characters before a new one is started. */
const TEXT_NODE_CHARACTERS = 1024
/** A block segment is closed at the next line break once it holds this many characters. */
const SEGMENT_CHARACTERS = 2048

/**
 * Renders `text`, appending only what is new to the DOM: the work per update is proportional
 * to the new characters, not to the text already shown (a plain `{text}` makes React replace
 * the whole text node's value every time, and the browser lay out all of it again).
 *
 * Layout is kept proportional too: long text is split at line breaks into block segments, so
 * an append only dirties the last segment. A split replaces one `\n` by a block boundary, which
 * renders the same line break; the `\n` itself stays in the DOM in a `display: none` span, so
 * `textContent` is still exactly `text`, while copy and `innerText` (which skip hidden text and
 * add one line break per block boundary) also read it back unchanged. Splits only happen at a
 * `\n` that follows other text, because a block cannot end in an empty line.
 *
 * The first render puts the text in as a normal React child, so server rendering and
 * hydration see the same markup; React never touches that node again because its value never
 * changes. Later text is appended by a layout effect, before paint. Text that does not extend
 * what is shown (a new stream, a text changed in the middle) replaces it all.
 */
export function IncrementalText({ text, revision }: { text: string; revision?: number }) {
  const [initial] = useState(text)
  const ref = useRef<HTMLSpanElement>(null)
  const shown = useRef({ text: initial, revision })
  const writer = useRef<SegmentWriter | null>(null)

  useLayoutEffect(() => {
    const root = ref.current
    const previous = shown.current
    if (!root || (text === previous.text && revision === previous.revision)) return
    shown.current = { text, revision }
    writer.current ??= new SegmentWriter(root, initial)
    // A stream says whether its text only grew (an unchanged `textRevision`), which costs
    // nothing per token; a text given without one is compared in full, so an edit anywhere,
    // even in the middle of a long text, is shown exactly.
    const grew =
      text.length > previous.text.length &&
      (revision === undefined ? text.startsWith(previous.text) : revision === previous.revision)
    if (grew) writer.current.append(text.slice(previous.text.length))
    else writer.current.replace(text)
  }, [text, revision, initial])

  return <span ref={ref}>{initial}</span>
}

/**
 * Appends text to a root element, touching a constant number of nodes per call.
 *
 * Layout: `[segment][hidden \n][segment][hidden \n] active text…`. Closed segments are
 * `display: block` spans with their own layout, which the browser reuses; only the active text
 * after them (at most about {@link SEGMENT_CHARACTERS} characters) is laid out again on an
 * append. The active text stays inline so whatever follows it (the cursor) sits right after the
 * last character.
 */
class SegmentWriter {
  #root: HTMLElement
  /** Text nodes of the active run, in order (the first may be React's initial text node). */
  #active: Text[] = []
  #activeLength: number
  #lastCharacter: string
  #beforeLastCharacter: string

  constructor(root: HTMLElement, initial: string) {
    this.#root = root
    const first = root.firstChild
    if (first instanceof Text) this.#active.push(first)
    this.#activeLength = initial.length
    this.#lastCharacter = initial.slice(-1)
    this.#beforeLastCharacter = initial.slice(-2, -1)
  }

  append(delta: string): void {
    if (this.#activeLength + delta.length <= SEGMENT_CHARACTERS) return this.#write(delta)
    const split = this.#splitPoint(delta)
    if (split !== -1) {
      this.#write(delta.slice(0, split))
      this.#closeSegment()
      return this.#write(delta.slice(split + 1))
    }
    // Language models often send a line break as a token of its own: the split point is then
    // the `\n` that ended the previous append, now that the character after it is known.
    const tail = this.#active.at(-1)
    if (
      tail &&
      this.#lastCharacter === '\n' &&
      this.#beforeLastCharacter !== '\n' &&
      this.#beforeLastCharacter !== '' &&
      !delta.startsWith('\n') &&
      // Only our own small text nodes: trimming a large initial one would copy all of it.
      tail.length <= TEXT_NODE_CHARACTERS
    ) {
      tail.deleteData(tail.length - 1, 1)
      this.#closeSegment()
    }
    this.#write(delta)
  }

  replace(text: string): void {
    this.#root.textContent = text
    const first = this.#root.firstChild
    this.#active = first instanceof Text ? [first] : []
    this.#activeLength = text.length
    this.#lastCharacter = text.slice(-1)
    this.#beforeLastCharacter = text.slice(-2, -1)
  }

  /** Moves the active run into a block segment and puts the `\n` it replaces after it, hidden. */
  #closeSegment(): void {
    const document = this.#root.ownerDocument
    const segment = document.createElement('span')
    segment.style.display = 'block'
    segment.append(...this.#active)
    const newline = document.createElement('span')
    newline.style.display = 'none'
    newline.textContent = '\n'
    this.#root.append(segment, newline)
    this.#active = []
    this.#activeLength = 0
    this.#lastCharacter = '\n'
    this.#beforeLastCharacter = ''
  }

  /**
   * The last `\n` in `delta` with other text on both sides, or -1. Text before it: a block
   * cannot end in an empty line. Text after it: the next run must not start with a line break,
   * which would hang at the end of the block's line instead of making an empty line.
   */
  #splitPoint(delta: string): number {
    for (
      let index = delta.lastIndexOf('\n');
      index !== -1;
      index = delta.lastIndexOf('\n', index - 1)
    ) {
      const before = index > 0 ? delta[index - 1] : this.#lastCharacter
      const after = delta[index + 1]
      if (before && before !== '\n' && after !== undefined && after !== '\n') return index
      if (index === 0) break
    }
    return -1
  }

  #write(value: string): void {
    if (value === '') return
    const tail = this.#active.at(-1)
    if (
      tail &&
      tail.parentNode === this.#root &&
      tail.length + value.length <= TEXT_NODE_CHARACTERS
    ) {
      tail.appendData(value)
    } else {
      this.#active.push(this.#root.appendChild(this.#root.ownerDocument.createTextNode(value)))
    }
    this.#activeLength += value.length
    this.#beforeLastCharacter =
      value.length > 1 ? value.charAt(value.length - 2) : this.#lastCharacter
    this.#lastCharacter = value.slice(-1)
  }
}
