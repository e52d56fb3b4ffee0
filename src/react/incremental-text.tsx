'use client'
import { useLayoutEffect, useRef, useState } from 'react'

/** Text nodes grow by `appendData` up to this many characters before a new one is started. */
const TEXT_NODE_CHARACTERS = 1024

/**
 * Renders `text`, appending only what is new to the DOM: the work per update is proportional
 * to the new characters, not to the text already shown (a plain `{text}` makes React replace
 * the whole text node's value every time).
 *
 * The first render puts the text in as a normal React child, so server rendering and
 * hydration see the same markup; React never touches that node again because its value never
 * changes. Later text is appended by a layout effect, before paint. Text that does not extend
 * what is shown (a new stream) replaces it all.
 */
export function IncrementalText({ text }: { text: string }) {
  const [initial] = useState(text)
  const ref = useRef<HTMLSpanElement>(null)
  const shown = useRef(initial)
  const tail = useRef<Text | null>(null)

  useLayoutEffect(() => {
    const span = ref.current
    const previous = shown.current
    if (!span || text === previous) return
    shown.current = text
    if (text.length > previous.length && text.startsWith(previous)) {
      const delta = text.slice(previous.length)
      const last = tail.current
      if (last && last.parentNode === span && last.length + delta.length <= TEXT_NODE_CHARACTERS) {
        last.appendData(delta)
      } else {
        tail.current = span.appendChild(span.ownerDocument.createTextNode(delta))
      }
      return
    }
    span.textContent = text
    tail.current = null
  }, [text])

  return <span ref={ref}>{initial}</span>
}
