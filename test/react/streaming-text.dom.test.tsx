import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { StreamingText } from '../../src/index'

describe('<StreamingText>', () => {
  it('keeps newlines and leading spaces verbatim', () => {
    const text = '\n\nHere is a haiku:\n\n  Fuzzy, gentle eyes\n'
    const { container } = render(<StreamingText text={text} status="succeeded" />)
    const element = container.firstElementChild as HTMLElement
    expect(element.textContent).toBe(text)
    expect(element).toHaveStyle({ whiteSpace: 'pre-wrap' })
  })

  it('is aria-busy with a hidden cursor while streaming, and neither when done', () => {
    const { container, rerender } = render(<StreamingText text="Once" status="processing" />)
    const element = container.firstElementChild as HTMLElement
    expect(element).toHaveAttribute('aria-busy', 'true')
    const cursor = element.querySelector('[data-streaming-cursor]')
    expect(cursor).toHaveAttribute('aria-hidden', 'true')
    expect(element).toHaveAttribute('data-status', 'processing')
    rerender(<StreamingText text="Once upon" status="succeeded" />)
    expect(element).toHaveAttribute('aria-busy', 'false')
    expect(element.querySelector('[data-streaming-cursor]')).toBeNull()
    expect(element.textContent).toBe('Once upon')
  })

  it('renders hostile text as text, never as markup', () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    const { container } = render(<StreamingText text={hostile} status="succeeded" />)
    const element = container.firstElementChild as HTMLElement
    expect(element.textContent).toBe(hostile)
    expect(element.querySelector('img, script')).toBeNull()
    expect((window as { __pwned?: number }).__pwned).toBeUndefined()
  })

  it('passes as, className, style and other attributes through; cursor can be turned off', () => {
    render(
      <StreamingText
        as="pre"
        text="x"
        status="processing"
        cursor={false}
        className="answer"
        style={{ color: 'rebeccapurple' }}
        data-testid="out"
      />,
    )
    const element = screen.getByTestId('out')
    expect(element.tagName).toBe('PRE')
    expect(element).toHaveClass('answer')
    expect(element).toHaveStyle({ color: 'rgb(102, 51, 153)', whiteSpace: 'pre-wrap' })
    expect(element.querySelector('[data-streaming-cursor]')).toBeNull()
  })
})
