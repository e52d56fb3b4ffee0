import { useState } from 'react'
import { flushSync } from 'react-dom'
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-react'
import { StreamingText } from '../../src/index'
import { TEXT_RECORDINGS } from '../../src/testing/models/recordings'

// In Chromium: one long paragraph (no line break) is written into text nodes of at most 1,024
// characters with a <wbr> after a space between two words, so that Blink reshapes only the last
// node on an append. Each update writes only its new characters, and the paragraph must still
// lay out, read and copy exactly like the same text in one pre-wrap element.

/** Recorded tokens with their line breaks made spaces, and tokens where a break must not move. */
const tokens = [
  ...TEXT_RECORDINGS.flatMap((recording) => recording.output).map((token) =>
    token.replaceAll('\n', ' '),
  ),
  ...[' (', 'word', '  two', ' !', ' «', 'quoted', ' »', ' 1,024', ' 漢字', ' ', ' ?', ' —', 'x'],
]

/** Records what each update wrote under `root`: characters, text nodes and elements. */
function recordWrites(root: Node) {
  const observer = new MutationObserver(() => {})
  observer.observe(root, {
    childList: true,
    characterData: true,
    characterDataOldValue: true,
    subtree: true,
  })
  return () => {
    let characters = 0
    const textNodes = new Set<Node>()
    let elements = 0
    for (const record of observer.takeRecords()) {
      if (record.type === 'characterData') {
        characters += (record.target as Text).length - (record.oldValue ?? '').length
        textNodes.add(record.target)
      }
      for (const node of record.addedNodes) {
        if (node instanceof Text) {
          characters += node.length
          textNodes.add(node)
        } else elements += 1
      }
    }
    return { characters, textNodes: textNodes.size, elements }
  }
}

/** Where character `index` of `element`'s text is drawn, relative to the element. */
function characterBox(element: HTMLElement, index: number) {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
  let offset = index
  for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
    if (offset < node.length) {
      const range = document.createRange()
      range.setStart(node, offset)
      range.setEnd(node, offset + 1)
      const box = range.getBoundingClientRect()
      const origin = element.getBoundingClientRect()
      return { left: box.left - origin.left, top: box.top - origin.top, width: box.width }
    }
    offset -= node.length
  }
  throw new Error(`no character ${index}`)
}

/** `<StreamingText>` above plain pre-wrap text, both showing the text given to `expose`'s setter. */
function Pair({ expose }: { expose: (update: (text: string) => void) => void }) {
  const [text, setText] = useState('')
  expose((next) => flushSync(() => setText(next)))
  return (
    <div style={{ width: 360, font: '15px serif' }}>
      <StreamingText data-testid="ours" text={text} status="succeeded" announcements={false} />
      <div data-testid="plain" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {text}
      </div>
    </div>
  )
}

describe('<StreamingText> with one long paragraph', () => {
  it('writes only the new characters, into text nodes of at most 1,024 characters', async () => {
    let update: (text: string) => void = () => {}
    const screen = await render(<Pair expose={(set) => void (update = set)} />)
    const ours = screen.getByTestId('ours').element() as HTMLElement
    const plain = screen.getByTestId('plain').element() as HTMLElement
    const writes = recordWrites(ours)
    let text = ''
    let updates = 0
    for (let index = 0; text.length < 40_000; index += 1) {
      const token = tokens[(index * 7) % tokens.length]!
      text += token
      update(text)
      updates += 1
      const written = writes()
      expect(written.characters).toBe(token.length)
      expect(written.textNodes).toBeLessThanOrEqual(2)
      expect(written.elements).toBeLessThanOrEqual(1)
    }
    expect(updates).toBeGreaterThan(5_000)

    // What Blink shapes again on an append: the text since the last <wbr>, bounded. And a <wbr>
    // only after a space between two words, where a line may break anyway.
    const breaks: number[] = []
    let position = 0
    for (const node of ours.firstElementChild!.childNodes) {
      if (node instanceof Text) {
        expect(node.length).toBeLessThanOrEqual(1024)
        position += node.length
      } else if (node.nodeName === 'WBR') breaks.push(position)
    }
    expect(breaks.length).toBeGreaterThan(text.length / 1100)
    breaks.forEach((at, index) => {
      expect(at - (breaks[index - 1] ?? 0)).toBeLessThanOrEqual(1024 + 64)
      expect(text.slice(at - 2, at + 1)).toMatch(/^[\p{L}\p{N}] [\p{Ll}\p{Lo}]$/u)
    })
    expect(text.length - breaks.at(-1)!).toBeLessThanOrEqual(1024 + 64)

    expect(ours.textContent).toBe(text)
    expect(ours.innerText).toBe(plain.innerText)
    expect(ours.getBoundingClientRect().height).toBe(plain.getBoundingClientRect().height)
    // Every character is on the same line at the same place with the same width, to a few of
    // Blink's layout units (1/64 px: each text node is measured on its own, and rounded).
    const units = 4 / 64
    for (let index = 0; index < text.length; index += 7) {
      const [mine, theirs] = [characterBox(ours, index), characterBox(plain, index)]
      expect([index, mine.top]).toEqual([index, theirs.top])
      expect(Math.abs(mine.left - theirs.left)).toBeLessThanOrEqual(units)
      expect(Math.abs(mine.width - theirs.width)).toBeLessThanOrEqual(units)
    }
    const selection = getSelection()!
    selection.selectAllChildren(ours)
    const copied = selection.toString()
    selection.selectAllChildren(plain)
    expect(copied).toBe(selection.toString())
  })

  it('keeps a 1 MB token out of later appends, behind a <wbr>', async () => {
    let update: (text: string) => void = () => {}
    const screen = await render(<Pair expose={(set) => void (update = set)} />)
    const ours = screen.getByTestId('ours').element() as HTMLElement
    let text = ' lorem ipsum'.repeat(87_382)
    expect(text.length).toBeGreaterThanOrEqual(2 ** 20)
    update(text)
    const huge = [...ours.firstElementChild!.childNodes].find(
      (node): node is Text => node instanceof Text && node.length > 2 ** 20 - 100,
    )!
    expect(huge).toBeDefined()
    const hugeLength = huge.length
    const writes = recordWrites(ours)
    for (const token of [' dolor', ' sit', ' amet', ',', ' consectetur']) {
      text += token
      update(text)
      const written = writes()
      expect(written.characters).toBe(token.length)
      expect(written.textNodes).toBeLessThanOrEqual(2)
    }
    // Never written to again, and shaped apart from what follows: a <wbr> comes after the space
    // that follows it (the space goes into a node of its own: the huge one is not extended).
    expect(huge.length).toBe(hugeLength)
    expect(huge.nextSibling?.textContent).toBe(' ')
    expect(huge.nextSibling?.nextSibling?.nodeName).toBe('WBR')
    expect(ours.textContent).toBe(text)
  })
})
