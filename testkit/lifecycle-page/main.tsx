/**
 * The page chromium-lifecycle.test.ts drives in real Chromium tabs: `usePredictionStream` with
 * `<StreamingText>`, as an app writes them, tab sharing left at its default (on).
 * `?model=owner/name` owns a stream remembered under `resume` (the test calls
 * `lifecycle.start(prompt)`); `?attach=<id>` follows an existing prediction. `window.lifecycle`
 * gives the test the snapshot and the moments (`performance.now()`)
 * the page woke up and the stream ended, measured inside the page.
 */
import { useEffect } from 'react'
import { createRoot } from 'react-dom/client'
import {
  resumeAfterReload,
  StreamingText,
  usePredictionStream,
  type PredictionStream,
  type PredictionStreamSnapshot,
} from '../../src/index'

/** What the test reads and calls through `page.evaluate`. */
export interface LifecyclePage {
  start(prompt: string): void
  snapshot(): PredictionStreamSnapshot
  /** Page events with their time: `resume`, `pageshow persisted`, `visible`, `ended`. */
  events: { type: string; at: number }[]
}

declare global {
  interface Window {
    lifecycle: LifecyclePage
  }
}

const params = new URLSearchParams(location.search)
const attach = params.get('attach')
const events: LifecyclePage['events'] = []
const note = (type: string) => events.push({ type, at: performance.now() })
document.addEventListener('resume', () => note('resume'))
document.addEventListener('visibilitychange', () => note(document.visibilityState))
window.addEventListener('pageshow', (event) => {
  if (event.persisted) note('pageshow persisted')
})

function expose(stream: PredictionStream, start: (prompt: string) => void) {
  window.lifecycle = { start, snapshot: stream.getSnapshot, events }
  let ended = false
  return stream.subscribe(() => {
    if (ended || stream.getSnapshot().connection !== 'closed') return
    ended = true
    note('ended')
  })
}

function Page() {
  const result = usePredictionStream(
    attach
      ? { endpoint: '/api/predictions', predictionId: attach }
      : {
          endpoint: '/api/predictions',
          model: params.get('model')!,
          resume: resumeAfterReload({ key: 'lifecycle' }),
        },
  )
  const { stream, start } = result
  useEffect(() => expose(stream, (prompt) => void start({ prompt })), [stream, start])
  return (
    <main>
      <p data-testid="status">{result.status}</p>
      <StreamingText data-testid="text" text={result.text} status={result.status} />
    </main>
  )
}

createRoot(document.getElementById('root')!).render(<Page />)
