// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'

describe('server rendering', () => {
  it('renders a component with a relative endpoint, as a Next.js page does, without a request', async () => {
    const { StreamingText, usePredictionStream } = await import('../../src/index')
    let fetched = 0
    const fetch = (() => {
      fetched += 1
      return Promise.reject(new Error('a server render must not fetch'))
    }) as typeof globalThis.fetch
    function Answer() {
      const { text, status, error } = usePredictionStream({
        endpoint: '/api/predictions',
        model: 'meta/meta-llama-3-8b-instruct',
        fetch,
      })
      return <StreamingText text={text} status={status} error={error} />
    }
    function Follower() {
      const { text, status } = usePredictionStream({
        endpoint: '/api/predictions',
        predictionId: 'some-prediction',
        fetch,
      })
      return <StreamingText text={text} status={status} />
    }
    const html = renderToString(
      <>
        <Answer />
        <Follower />
      </>,
    )
    expect(html.match(/data-status="idle"/g)).toHaveLength(2)
    expect(fetched).toBe(0)
  })

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

  it('leaves no stream behind after 100 server renders of a prediction follower', async () => {
    const { PredictionStreamProvider, PredictionStreamRegistry, usePredictionStream } =
      await import('../../src/index')
    let fetched = 0
    const fetch = (() => {
      fetched += 1
      return Promise.reject(new Error('a server render must not fetch'))
    }) as typeof globalThis.fetch
    function Follower({ id }: { id: string }) {
      const { status } = usePredictionStream({
        endpoint: 'https://example.invalid/api/predictions',
        predictionId: id,
        fetch,
      })
      return <p data-status={status} />
    }
    const registry = new PredictionStreamRegistry()
    for (let index = 0; index < 100; index += 1) {
      const html = renderToString(
        <>
          <Follower id={`prediction-${index}`} />
          <PredictionStreamProvider registry={registry}>
            <Follower id={`prediction-${index}`} />
          </PredictionStreamProvider>
        </>,
      )
      expect(html).toContain('data-status="idle"')
    }
    // Neither a provider's registry nor a page registry holds anything, and nothing was fetched.
    expect(registry.size).toBe(0)
    expect(Symbol.for('react-prediction-stream.registry') in globalThis).toBe(false)
    expect(fetched).toBe(0)
  })

  it('renders text it is given, so hydration starts from the same markup', async () => {
    const { StreamingText } = await import('../../src/index')
    const html = renderToString(<StreamingText text={'Hello\n  world'} status="succeeded" />)
    expect(html).toContain('Hello\n  world')
  })
})
