import { act, render, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { StreamingText } from '../../src/index'
import { PredictionFailedError } from '../../src/core/errors'

/** Records every DOM mutation under `root` until `stop()` is called. */
function recordMutations(root: Node) {
  const records: MutationRecord[] = []
  const observer = new MutationObserver((batch) => records.push(...batch))
  observer.observe(root, { childList: true, characterData: true, subtree: true, attributes: true })
  return {
    take() {
      records.push(...observer.takeRecords())
      return records.splice(0)
    },
  }
}

describe('<StreamingText> DOM updates', () => {
  it('touches a constant number of nodes per update, however much text is already shown', () => {
    const long = 'lorem ipsum dolor sit amet\n'.repeat(3704)
    const { container, rerender } = render(<StreamingText text={long} status="processing" />)
    const element = container.firstElementChild as HTMLElement
    const mutations = recordMutations(element)
    let text = long
    let splits = 0
    for (let update = 0; update < 400; update += 1) {
      // Line breaks inside tokens, as tokens of their own, and doubled, as models send them.
      text += update % 7 === 6 ? ' end.\n' : update % 11 === 10 ? '\n\n' : ` token${update}`
      rerender(<StreamingText text={text} status="processing" />)
      const records = mutations.take()
      // Usually one record (the tail text node extended, or a new one appended). When a segment
      // closes, its active run (at most three 1,024-character text nodes and a <wbr>) moves into
      // a block and a hidden newline follows: still a bounded number of nodes, whatever the
      // text's length.
      const touched = records.reduce(
        (count, record) =>
          count +
          (record.type === 'characterData'
            ? 1
            : record.addedNodes.length + record.removedNodes.length),
        0,
      )
      expect(touched).toBeGreaterThanOrEqual(1)
      expect(touched).toBeLessThanOrEqual(12)
      if (records.length > 1) splits += 1
      for (const record of records) {
        if (record.type === 'characterData') {
          expect((record.target as Text).length).toBeLessThanOrEqual(1024)
        }
      }
    }
    expect(splits).toBeGreaterThan(0)
    expect(element.textContent).toBe(text + '▍')
  })

  it('replaces everything when the text does not extend what is shown (a new stream)', () => {
    const { container, rerender } = render(<StreamingText text="first answer" status="succeeded" />)
    rerender(<StreamingText text="first answer, longer" status="processing" />)
    rerender(<StreamingText text="second" status="processing" />)
    const element = container.firstElementChild as HTMLElement
    expect(element.textContent).toBe('second▍')
    rerender(<StreamingText text="" status="idle" />)
    expect(element.textContent).toBe('')
  })
})

describe('<StreamingText> announcements', () => {
  it('announces the start and the end of a stream once each, never its tokens', () => {
    const { rerender } = render(<StreamingText text="" status="idle" />)
    const region = screen.getByRole('status')
    const spoken: string[] = []
    const steps: [string, 'starting' | 'processing' | 'succeeded'][] = [
      ['', 'starting'],
      ['Once', 'processing'],
      ['Once upon', 'processing'],
      ['Once upon a time', 'processing'],
      ['Once upon a time', 'succeeded'],
    ]
    for (const [text, status] of steps) {
      rerender(<StreamingText text={text} status={status} />)
      const message = region.textContent ?? ''
      // A screen reader speaks when the region's text changes.
      if (message !== (spoken.at(-1) ?? '')) spoken.push(message)
    }
    expect(spoken).toEqual(['Generating response…', 'Response complete.'])
    expect(region).toHaveAttribute('aria-live', 'polite')
  })

  it('announces a failure with its message, and can be customised or turned off', () => {
    const { rerender } = render(<StreamingText text="" status="idle" />)
    rerender(<StreamingText text="" status="starting" />)
    rerender(
      <StreamingText
        text="partial"
        status="failed"
        error={new PredictionFailedError('CUDA out of memory')}
      />,
    )
    expect(screen.getByRole('status')).toHaveTextContent(
      'Response failed: The model stopped with an error. Try again.',
    )
    rerender(<StreamingText text="" status="idle" announcements={{ started: 'Thinking' }} />)
    rerender(<StreamingText text="" status="starting" announcements={{ started: 'Thinking' }} />)
    expect(screen.getByRole('status')).toHaveTextContent('Thinking')
    rerender(<StreamingText text="" status="starting" announcements={false} />)
    expect(screen.queryByRole('status')).toBeNull()
  })
})

describe('<StreamingText render>', () => {
  it('hands the text and status to a custom renderer', () => {
    render(
      <StreamingText
        text={'# Title\nbody'}
        status="processing"
        render={(text, status) => <em data-testid="custom">{`${status}:${text}`}</em>}
      />,
    )
    expect(screen.getByTestId('custom').textContent).toBe('processing:# Title\nbody')
  })
})

describe('<StreamingText reveal>', () => {
  it('shows the full text at once when the user prefers reduced motion', async () => {
    const original = window.matchMedia
    window.matchMedia = ((query: string) => ({
      matches: query.includes('reduce'),
      media: query,
      addEventListener() {},
      removeEventListener() {},
    })) as unknown as typeof window.matchMedia
    try {
      const { container } = render(<StreamingText text="Hello there" status="succeeded" reveal />)
      await act(async () => {})
      expect(container.firstElementChild?.textContent).toBe('Hello there')
    } finally {
      window.matchMedia = original
    }
  })

  it('shows the full text at once in a hidden tab, where frames do not run', async () => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
    try {
      const { container } = render(<StreamingText text="Hello there" status="processing" reveal />)
      await act(async () => {})
      expect(container.firstElementChild?.textContent).toBe('Hello there▍')
    } finally {
      // Back to the prototype's getter.
      delete (document as { visibilityState?: unknown }).visibilityState
    }
  })

  it('reveals gradually when visible and motion is welcome', async () => {
    const { container } = render(
      <StreamingText text={'x'.repeat(5000)} status="processing" reveal={{ maxLagMs: 10_000 }} />,
    )
    // jsdom has no layout, but it does run requestAnimationFrame on a timer: wait for the first
    // frames to reveal something, then check they did not reveal everything at once.
    const shown = () => (container.firstElementChild?.textContent ?? '').replace('▍', '').length
    await waitFor(() => expect(shown()).toBeGreaterThan(0))
    expect(shown()).toBeLessThan(5000)
  })
})
