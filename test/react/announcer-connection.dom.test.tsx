import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { StreamingText } from '../../src/index'

describe('<StreamingText> announcements of the connection', () => {
  it('says once that the connection is lost and once that it is back, never per token', () => {
    const { rerender } = render(<StreamingText text="Once" status="processing" connection="open" />)
    const region = screen.getByRole('status')
    rerender(<StreamingText text="Once upon" status="processing" connection="reconnecting" />)
    expect(region).toHaveTextContent('Connection lost. Reconnecting…')
    rerender(<StreamingText text="Once upon" status="processing" connection="reconnecting" />)
    expect(region).toHaveTextContent('Connection lost. Reconnecting…')
    rerender(<StreamingText text="Once upon a" status="processing" connection="open" />)
    expect(region).toHaveTextContent('Connection restored.')
    rerender(<StreamingText text="Once upon a time" status="processing" connection="open" />)
    expect(region).toHaveTextContent('Connection restored.')
    rerender(<StreamingText text="Once upon a time" status="succeeded" connection="closed" />)
    expect(region).toHaveTextContent('Response complete.')
  })

  it('says nothing about a connection closed after the end', () => {
    const { rerender } = render(<StreamingText text="Done" status="succeeded" connection="open" />)
    rerender(<StreamingText text="Done" status="succeeded" connection="reconnecting" />)
    expect(screen.getByRole('status')).toHaveTextContent('')
  })
})
