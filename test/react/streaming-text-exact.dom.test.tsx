import { render, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { StreamingText } from '../../src/index'
import {
  created,
  json,
  prediction,
  predictionHarness,
  sse,
  sseEvent,
} from '../../testkit/conformance-prediction'

// Whatever changes the text, the DOM shows it exactly: appends cost nothing per token because
// the stream says they are appends (textRevision); anything else is redrawn.

/** The text shown, without the cursor (compared as a boolean: the texts are 3,000 characters). */
const shownText = (element: HTMLElement) => element.firstElementChild?.textContent ?? ''

const long = (middle: string) => `${'a'.repeat(1500)}${middle}${'b'.repeat(1500)}`

describe('<StreamingText> shows the text exactly', () => {
  it('redraws when the final GET changes the middle of a streamed text', async () => {
    const streamed = [long('wrld').slice(0, 1600), long('wrld').slice(1600)]
    // As many items as streamed (a GET never drops what was received), one of them corrected.
    const final = [long('world').slice(0, 1600), long('world').slice(1600)]
    const run = predictionHarness(
      [
        created(),
        // The stream ends without `done`; with no retries left the prediction is read by GET,
        // whose output differs in the middle from what streamed.
        sse(sseEvent('output', '1:0', streamed[0]!), sseEvent('output', '1:1', streamed[1]!)),
        json(prediction({ status: 'succeeded', output: final })),
      ],
      { retry: { maxAttempts: 0 } },
    )
    const { container } = render(<StreamingText stream={run.stream} updateInterval="sync" />)
    const element = container.firstElementChild as HTMLElement
    void run.start()
    await waitFor(() => expect(element).toHaveAttribute('data-status', 'succeeded'))
    expect(run.snapshot().text === final.join('')).toBe(true)
    expect(run.snapshot().textRevision).toBe(2)
    expect(shownText(element) === final.join('')).toBe(true)
  })

  it('redraws a controlled text edited in its middle, with no new key', () => {
    const { container, rerender } = render(
      <StreamingText text={long('wrld')} status="processing" />,
    )
    const element = container.firstElementChild as HTMLElement
    rerender(<StreamingText text={`${long('wrld')} more`} status="processing" />)
    expect(shownText(element) === `${long('wrld')} more`).toBe(true)
    rerender(<StreamingText text={`${long('world')} more`} status="succeeded" />)
    expect(shownText(element) === `${long('world')} more`).toBe(true)
  })
})
