import { StrictMode, useEffect } from 'react'
import { describe, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { render } from 'vitest-browser-react'
import {
  ApiError,
  StreamingText,
  usePredictionStream,
  type UseOwnPredictionStreamOptions,
  type UsePredictionStreamOptions,
  type UsePredictionStreamResult,
} from '../../src/index'
import {
  TEXT_RECORDINGS,
  recordingsOfModel,
  selectRecording,
  type Recording,
} from '../../src/testing/models/recordings'

// Real Chromium against the local Replicate-compatible server that vitest.config.ts mounts into
// Vitest's own Vite server: `/api/predictions` is the library's route handler, and the
// `urls.stream` it returns is same-origin too. Cadence 'fast' (≈1 ms/token).

const ENDPOINT = '/api/predictions'
/** Bounds the wait for a whole recording; nothing asserts how long it actually took. */
const STREAM_TIMEOUT_MS = 20_000

interface RecordedRequest {
  method: string
  /** Pathname and search, resolved against the page. */
  path: string
}

/**
 * Wraps the real `fetch`, the lowest level the hook lets us observe, and records every request
 * (the endpoint's and the stream's).
 */
function countingFetch() {
  const requests: RecordedRequest[] = []
  const counted: typeof fetch = (input, init) => {
    const request = input instanceof Request ? input : undefined
    const url = new URL(request?.url ?? String(input), location.href)
    requests.push({
      method: init?.method ?? request?.method ?? 'GET',
      path: url.pathname + url.search,
    })
    return fetch(input, init)
  }
  return { fetch: counted, requests }
}

function Harness({
  options,
  prompt,
  onResult,
}: {
  options: UsePredictionStreamOptions
  prompt: string
  onResult: (result: UsePredictionStreamResult) => void
}) {
  const result = usePredictionStream(options)
  // After commit, so the test sees exactly what was rendered.
  useEffect(() => onResult(result))
  const streaming = result.status === 'starting' || result.status === 'processing'
  return (
    <div>
      <button type="button" onClick={() => void result.start({ prompt })}>
        Start
      </button>
      <button type="button" disabled={!streaming} onClick={() => void result.cancel()}>
        Cancel
      </button>
      <p data-testid="status">{result.status}</p>
      <p data-testid="connection">{result.connection}</p>
      <StreamingText data-testid="output" text={result.text} status={result.status} />
    </div>
  )
}

/** Renders the harness in StrictMode, which must not create predictions by itself. */
async function renderHarness(
  options: Omit<UseOwnPredictionStreamOptions, 'fetch'>,
  prompt: string,
) {
  const counter = countingFetch()
  let latest: UsePredictionStreamResult | undefined
  const ui = (nextPrompt: string) => (
    <StrictMode>
      <Harness
        options={{ ...options, fetch: counter.fetch }}
        prompt={nextPrompt}
        onResult={(result) => {
          latest = result
        }}
      />
    </StrictMode>
  )
  const screen = await render(ui(prompt))
  return {
    requests: counter.requests,
    rerender: (nextPrompt: string) => screen.rerender(ui(nextPrompt)),
    /** The last committed hook result. */
    current(): UsePredictionStreamResult {
      if (!latest) throw new Error('The harness has not rendered')
      return latest
    },
  }
}

async function waitForStatus(status: string) {
  await expect
    .element(page.getByTestId('status'), { timeout: STREAM_TIMEOUT_MS })
    .toHaveTextContent(new RegExp(`^${status}$`))
}

/** The rendered StreamingText's text, read raw: matchers would normalize the whitespace. */
function renderedText(): string | null {
  return page.getByTestId('output').element().textContent
}

/**
 * A prompt for which the server picks `recording` among its model's recordings, found with the
 * server's own selection function, so every recording (not just the first) is replayed.
 */
function promptSelecting(recording: Recording): string {
  const recordings = recordingsOfModel(recording.model)
  const base = String(recording.input.prompt)
  for (let n = 0; n < 1000; n += 1) {
    const prompt = n === 0 ? base : `${base} (${n})`
    if (selectRecording(recordings, { prompt }) === recording) return prompt
  }
  throw new Error(`No prompt selects recording ${recording.id}`)
}

function expectedText(model: string, prompt: string): string {
  return selectRecording(recordingsOfModel(model), { prompt }).output.join('')
}

describe('usePredictionStream in Chromium against the local server', () => {
  for (const [index, recording] of TEXT_RECORDINGS.entries()) {
    it(`replays ${recording.model} recording #${index} exactly (${recording.output.length} tokens)`, async () => {
      const prompt = promptSelecting(recording)
      const harness = await renderHarness({ endpoint: ENDPOINT, model: recording.model }, prompt)
      // StrictMode mounted twice and nothing was requested: creating is imperative
      // (docs/design.md rule 1).
      expect(harness.requests).toEqual([])

      await userEvent.click(page.getByRole('button', { name: 'Start' }))
      await waitForStatus('succeeded')

      const expected = recording.output.join('')
      const result = harness.current()
      expect(result.text).toBe(expected)
      expect(renderedText()).toBe(expected)
      expect(result.output).toHaveLength(recording.output.length)
      expect(result.output).toEqual(recording.output)
      expect(result.status).toBe('succeeded')
      expect(result.connection).toBe('closed')
      expect(result.error).toBeNull()
      expect(result.logs).toBe('')
      expect(result.attempt).toBe(0)
      expect(result.lastEventId).not.toBeNull()
      await expect.element(page.getByTestId('connection')).toHaveTextContent(/^closed$/)

      // One create and one stream connection, and nothing else (no reconnect, no reconcile GET).
      const stream = new URL(result.prediction?.urls.stream ?? '', location.href)
      expect(stream.origin).toBe(location.origin)
      expect(harness.requests).toEqual([
        { method: 'POST', path: ENDPOINT },
        { method: 'GET', path: stream.pathname + stream.search },
      ])
    })
  }

  it('makes exactly one POST per start, also when started again', async () => {
    const model = 'meta/meta-llama-3-8b-instruct'
    const [first, second] = recordingsOfModel(model)
    if (!first || !second) throw new Error(`${model} needs two recordings`)
    const harness = await renderHarness({ endpoint: ENDPOINT, model }, promptSelecting(first))

    await userEvent.click(page.getByRole('button', { name: 'Start' }))
    await waitForStatus('succeeded')
    expect(renderedText()).toBe(first.output.join(''))

    const secondPrompt = promptSelecting(second)
    await harness.rerender(secondPrompt)
    await userEvent.click(page.getByRole('button', { name: 'Start' }))
    await expect.poll(() => harness.current().prediction?.input.prompt).toBe(secondPrompt)
    await waitForStatus('succeeded')

    expect(renderedText()).toBe(expectedText(model, secondPrompt))
    expect(harness.current().output).toHaveLength(second.output.length)
    const posts = harness.requests.filter((request) => request.method === 'POST')
    const gets = harness.requests.filter((request) => request.method === 'GET')
    expect(posts).toEqual([
      { method: 'POST', path: ENDPOINT },
      { method: 'POST', path: ENDPOINT },
    ])
    expect(gets).toHaveLength(2)
  })

  it('cancel ends canceled on the server and keeps the partial text', async () => {
    // 927 recorded tokens: there is time to cancel midway.
    const model = 'nateraw/goliath-120b'
    const prompt = promptSelecting(recordingsOfModel(model)[0]!)
    const full = expectedText(model, prompt)
    const harness = await renderHarness({ endpoint: ENDPOINT, model }, prompt)

    await userEvent.click(page.getByRole('button', { name: 'Start' }))
    await expect.poll(() => harness.current().text, { timeout: STREAM_TIMEOUT_MS }).not.toBe('')
    await userEvent.click(page.getByRole('button', { name: 'Cancel' }))
    await waitForStatus('canceled')

    const result = harness.current()
    expect(result.status).toBe('canceled')
    expect(result.connection).toBe('closed')
    expect(result.error).toBeNull()
    expect(result.prediction?.status).toBe('canceled')
    expect(result.text).not.toBe('')
    expect(result.text.length).toBeLessThan(full.length)
    expect(full.startsWith(result.text)).toBe(true)
    expect(renderedText()).toBe(result.text)

    const id = result.prediction?.id ?? ''
    const stream = new URL(result.prediction?.urls.stream ?? '', location.href)
    expect(harness.requests).toEqual([
      { method: 'POST', path: ENDPOINT },
      { method: 'GET', path: stream.pathname + stream.search },
      { method: 'POST', path: `${ENDPOINT}/${id}/cancel` },
    ])
  })

  it('an unknown version fails with a 422 ApiError and opens no stream', async () => {
    const harness = await renderHarness({ endpoint: ENDPOINT, version: 'nope' }, 'Hello')

    await userEvent.click(page.getByRole('button', { name: 'Start' }))
    await waitForStatus('failed')

    const result = harness.current()
    expect(result.error).toBeInstanceOf(ApiError)
    expect((result.error as ApiError).status).toBe(422)
    expect((result.error as ApiError).detail).not.toBe('')
    expect(result.connection).toBe('closed')
    expect(result.prediction).toBeNull()
    expect(result.text).toBe('')
    expect(harness.requests).toEqual([{ method: 'POST', path: ENDPOINT }])
  })
})
