/**
 * `<StreamingText>`'s cost per update when the text is one long paragraph (no line break, so no
 * block segment can close), against the same text with a line break every 20 tokens, against a
 * plain `{text}`, and against the browser alone (no React): `appendData` on one text node, and
 * the same with the `<wbr>` chunks `<StreamingText>` writes, the floor for any renderer that
 * shows one paragraph in one element. Each update appends one token, commits synchronously and forces
 * layout, so a sample is the time to get the new text laid out (paint excluded).
 */
import { useLayoutEffect, useState, type ReactNode } from 'react'
import { flushSync } from 'react-dom'
import { createRoot } from 'react-dom/client'
import { StreamingText } from '../../src/index'

/** One measurement: what to render, what to start from, and how many samples. */
export interface ParagraphCase {
  /**
   * `'dom'`: no React, `appendData` on one text node in a `pre-wrap` block. `'dom-wbr'`: no
   * React either, with the layout trick `<StreamingText>` uses: text nodes of about 1,024
   * characters, a `<wbr>` after a space between two of them, so Blink reshapes only the last.
   */
  component: 'StreamingText' | 'StreamingText-cursor' | 'plain' | 'dom' | 'dom-wbr'
  /** Characters shown before timing starts, reached by appends of `stepCharacters`. */
  initialCharacters: number
  /** Size of those appends; one append of everything models a single huge token. */
  stepCharacters: number
  /** A `\n` token every this many tokens (0: never: one paragraph). */
  newlineEvery: number
  /** Timing is done in batches (`performance.now()` is coarse): `batches` × `batchSize` updates. */
  batches: number
  batchSize: number
}

declare global {
  interface Window {
    paragraph?: {
      /** Median ms per update over the batches. */
      measure(options: ParagraphCase): number
    }
  }
}

const Plain = ({ text }: { text: string }) => <div style={{ whiteSpace: 'pre-wrap' }}>{text}</div>
const Streaming = ({ text }: { text: string }) => (
  <StreamingText text={text} status="processing" announcements={false} cursor={false} />
)
/** With its default cursor after the text, and its live region. */
const StreamingWithCursor = ({ text }: { text: string }) => (
  <StreamingText text={text} status="processing" />
)

const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit']

/** Token `index` of a stream with a `\n` token every `newlineEvery` tokens (0: never). */
const token = (index: number, newlineEvery: number) =>
  newlineEvery > 0 && index % newlineEvery === newlineEvery - 1
    ? '\n'
    : ` ${WORDS[index % WORDS.length]}`

/** Shows `text` (which extends what is shown) in `container`; returns `[update, unmount]`. */
function mountCase(
  component: ParagraphCase['component'],
  container: HTMLElement,
): [(text: string) => void, () => void] {
  if (component === 'dom') {
    const block = document.createElement('div')
    block.style.whiteSpace = 'pre-wrap'
    const node = block.appendChild(document.createTextNode(''))
    container.append(block)
    return [(text) => node.appendData(text.slice(node.length)), () => block.remove()]
  }
  if (component === 'dom-wbr') {
    const block = document.createElement('div')
    block.style.whiteSpace = 'pre-wrap'
    let node = block.appendChild(document.createTextNode(''))
    let length = 0
    container.append(block)
    const update = (text: string) => {
      let delta = text.slice(length)
      length = text.length
      // Tokens are " word": a full node ends with the space, the next starts with the word (not
      // a capital: fonts kern a space with one, and shaping apart would lose that).
      if (node.length >= 1024 && /^ [\p{Ll}\p{Lo}]/u.test(delta) && /\p{L}$/u.test(node.data)) {
        node.appendData(' ')
        block.append(document.createElement('wbr'))
        node = block.appendChild(document.createTextNode(''))
        delta = delta.slice(1)
      }
      node.appendData(delta)
    }
    return [update, () => block.remove()]
  }
  const Component =
    component === 'plain' ? Plain : component === 'StreamingText' ? Streaming : StreamingWithCursor
  let setText: (text: string) => void = () => {}
  function Host({ children }: { children: (text: string) => ReactNode }) {
    const [text, set] = useState('')
    useLayoutEffect(() => void (setText = set), [set])
    return children(text)
  }
  const root = createRoot(container)
  flushSync(() => root.render(<Host>{(text) => <Component text={text} />}</Host>))
  return [(text) => flushSync(() => setText(text)), () => root.unmount()]
}

function measure(options: ParagraphCase): number {
  const container = document.createElement('div')
  container.style.width = '800px'
  document.body.append(container)
  const [update, unmount] = mountCase(options.component, container)
  // Reach the starting length the way a stream does, by appends.
  let tokens = 0
  let target = ''
  while (target.length < options.initialCharacters) target += token(tokens++, options.newlineEvery)
  let text = ''
  for (let offset = 0; offset < target.length; offset += options.stepCharacters) {
    text = target.slice(0, offset + options.stepCharacters)
    update(text)
    void container.getBoundingClientRect().height
  }
  const samples: number[] = []
  for (let batch = 0; batch < options.batches; batch++) {
    const started = performance.now()
    for (let index = 0; index < options.batchSize; index++) {
      text += token(tokens++, options.newlineEvery)
      update(text)
      void container.getBoundingClientRect().height
    }
    samples.push((performance.now() - started) / options.batchSize)
  }
  unmount()
  container.remove()
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]!
}

window.paragraph = { measure }
