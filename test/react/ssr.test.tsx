// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'

describe('server rendering', () => {
  it('imports without touching window and renders the idle snapshot', async () => {
    expect(typeof window).toBe('undefined')
    const { StreamingText, usePredictionStream } = await import('../../src/index')
    function Answer() {
      const { text, status, connection } = usePredictionStream({
        endpoint: 'https://example.invalid/api/predictions',
        model: 'meta/meta-llama-3-8b-instruct',
      })
      return (
        <section data-connection={connection}>
          <StreamingText text={text} status={status} />
        </section>
      )
    }
    const html = renderToString(<Answer />)
    expect(html).toContain('data-connection="idle"')
    expect(html).toContain('data-status="idle"')
    expect(html).toContain('aria-busy="false"')
  })

  it('renders text it is given, so hydration starts from the same markup', async () => {
    const { StreamingText } = await import('../../src/index')
    const html = renderToString(<StreamingText text={'Hello\n  world'} status="succeeded" />)
    expect(html).toContain('Hello\n  world')
  })
})
