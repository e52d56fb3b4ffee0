import { useState } from 'react'
import { flushSync } from 'react-dom'
import { describe, expect, it } from 'vitest'
import { render } from 'vitest-browser-react'
import { StreamingText } from '../../src/index'
import { TEXT_RECORDINGS } from '../../src/testing/models/recordings'

// In Chromium: the segmented, incremental DOM of <StreamingText> must look and read exactly like
// the same text in one pre-wrap element, including blank lines at segment boundaries.

const recorded = TEXT_RECORDINGS.flatMap((recording) => recording.output)

describe('<StreamingText> segments', () => {
  it('renders, reads and copies like plain pre-wrap text after thousands of appends', async () => {
    let setText: (text: string) => void = () => {}
    function Pair() {
      const [text, set] = useState('')
      setText = set
      return (
        <div style={{ width: 480, font: '14px monospace' }}>
          <StreamingText data-testid="ours" text={text} status="succeeded" announcements={false} />
          <div data-testid="plain" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {text}
          </div>
        </div>
      )
    }
    const screen = await render(<Pair />)
    let text = ''
    // Several passes over every recorded token: long enough for many segments, with the
    // recordings' own "\n", "\n\n" and ":\n\nF"-style tokens at the boundaries.
    for (let pass = 0; pass < 4; pass += 1) {
      for (const token of recorded) {
        text += token
        flushSync(() => setText(text))
      }
    }
    const ours = screen.getByTestId('ours').element() as HTMLElement
    const plain = screen.getByTestId('plain').element() as HTMLElement
    expect(ours.querySelectorAll('span[style*="block"]').length).toBeGreaterThan(3)
    expect(ours.textContent).toBe(text)
    expect(ours.innerText).toBe(plain.innerText)
    expect(ours.getBoundingClientRect().height).toBe(plain.getBoundingClientRect().height)
    const selection = getSelection()!
    selection.selectAllChildren(ours)
    const copied = selection.toString()
    selection.selectAllChildren(plain)
    expect(copied).toBe(selection.toString())
  })
})
