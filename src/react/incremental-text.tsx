'use client'
import { useLayoutEffect, useRef, useState } from 'react'

/**
 * Text nodes grow by `appendData` up to this many characters; the next starts after a space
 * between two words, behind a `<wbr>` (see `SegmentWriter.#write`).
 */
const TEXT_NODE_CHARACTERS = 1024
/** A block segment is closed at the next line break once it holds this many characters. */
const SEGMENT_CHARACTERS = 2048
const CONTENTS = { display: 'contents' } as const

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
 * `\n` that follows other text, because a block cannot end in an empty line. One paragraph
 * without line breaks is written in text nodes of about 1,024 characters with a `<wbr>` after a
 * space between two of them (see `SegmentWriter.#write`), so the browser shapes only the last
 * one again; `<wbr>` has no text, so `textContent`, `innerText` and copy are unchanged.
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

  // `display: contents`: the text is laid out as the parent block's own, so Blink takes its
  // fast path for a changed text node; inside an inline box it reshapes the whole paragraph
  // (measured in Chromium 156: 4 ms instead of 0.8 ms per update at 60,000 characters).
  return (
    <span ref={ref} style={CONTENTS}>
      {initial}
    </span>
  )
}

/**
 * Appends text to a root element, touching a constant number of nodes per call.
 *
 * Layout: `[segment][hidden \n][segment][hidden \n] active text…`, the active text being text
 * nodes with a `<wbr>` every 1,024 or so characters. Closed segments are
 * `display: block` spans with their own layout, which the browser reuses; only the active text
 * after them is laid out again on an append (at most about {@link SEGMENT_CHARACTERS}
 * characters when the text has line breaks). The active text stays inline so whatever follows it (the cursor) sits right after the
 * last character.
 */
class SegmentWriter {
  #root: HTMLElement
  /** Text nodes and `<wbr>`s of the active run, in order (the first may be React's text node). */
  #active: Node[] = []
  #activeLength: number
  /** Characters of the active run since its last `<wbr>`: what Blink shapes again on an append. */
  #unbroken: number
  #lastCharacter: string
  #beforeLastCharacter: string

  constructor(root: HTMLElement, initial: string) {
    this.#root = root
    const first = root.firstChild
    if (first instanceof Text) this.#active.push(first)
    this.#activeLength = this.#unbroken = initial.length
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
    const tail = this.#tail()
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
    this.#activeLength = this.#unbroken = text.length
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
    this.#activeLength = this.#unbroken = 0
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

  /**
   * Writes `value` at the end of the active run. Once the text since the last `<wbr>` is longer
   * than {@link TEXT_NODE_CHARACTERS}, the next space between two words gets a `<wbr>` after it:
   * Blink shapes the text between two `<wbr>`s on its own, so an append reshapes only the text
   * after the last one instead of the whole paragraph (60,000 characters in one paragraph:
   * 3 ms → about 1 ms per update in `npm run bench`). A huge token stays one text node: it is
   * shaped once, and the `<wbr>` after it keeps it out of later appends.
   */
  #write(value: string): void {
    if (this.#unbroken + value.length > TEXT_NODE_CHARACTERS) {
      // A space between two words, from the last two characters shown on: a line may break
      // after it anyway (UAX #14, rule LB18). Not before a capital or a quote, which fonts kern
      // with a space (" A", " T"): shaping them apart would move the rest of the line.
      const context = this.#beforeLastCharacter + this.#lastCharacter
      const wordSpace = /(?<=[\p{L}\p{N}]) (?=[\p{Ll}\p{Lo}])/gu
      wordSpace.lastIndex = Math.max(context.length - 1, 0)
      const space = wordSpace.exec(context + value)
      if (space) {
        const end = space.index + 1 - context.length
        this.#put(value.slice(0, end))
        this.#add(this.#root.ownerDocument.createElement('wbr'))
        this.#unbroken = 0
        value = value.slice(end)
      }
    }
    this.#put(value)
  }

  #put(value: string): void {
    if (value === '') return
    const tail = this.#tail()
    if (tail && tail.length + value.length <= TEXT_NODE_CHARACTERS) tail.appendData(value)
    else this.#add(this.#root.ownerDocument.createTextNode(value))
    this.#activeLength += value.length
    this.#unbroken += value.length
    this.#beforeLastCharacter =
      value.length > 1 ? value.charAt(value.length - 2) : this.#lastCharacter
    this.#lastCharacter = value.slice(-1)
  }

  #add(node: Node): void {
    this.#active.push(this.#root.appendChild(node))
  }

  /** The active run's last text node, if it is the last node and ours to extend. */
  #tail(): Text | undefined {
    const last = this.#active.at(-1)
    return last instanceof Text && last.parentNode === this.#root ? last : undefined
  }
}
