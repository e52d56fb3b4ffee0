'use client'
import { resumeAfterReload, StreamingText, usePredictionStream } from 'react-prediction-stream'

export function Haiku() {
  const { text, status, error, start, cancel } = usePredictionStream({
    endpoint: '/api/predictions',
    model: 'meta/meta-llama-3-8b-instruct',
    // A reload while it streams picks the same prediction up again instead of losing it.
    resume: resumeAfterReload({ key: 'haiku' }),
  })
  const streaming = status === 'starting' || status === 'processing'
  return (
    <section>
      <button onClick={() => start({ prompt: 'Write a haiku about llamas' })}>Start</button>
      <button onClick={cancel} disabled={!streaming}>
        Cancel
      </button>
      <StreamingText text={text} status={status} />
      {error && <p role="alert">{error.message}</p>}
    </section>
  )
}
