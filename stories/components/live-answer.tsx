import { useId, type ReactNode } from 'react'
import {
  StreamingText,
  usePredictionStream,
  type RevealOptions,
  type RetryOptions,
  type StreamStatus,
} from '../../src/index'
import { ConnectionText, StatusBadge } from './status-badge'

export interface LiveAnswerProps {
  model: string
  prompt: string
  /** More input beside `prompt` (a story that sends an invalid `temperature`, say). */
  input?: Record<string, unknown>
  /** The route handler mounted by the Storybook dev server. */
  endpoint?: string
  /** A `fetch` to use instead of the global one (stories that cut or pace the network). */
  fetch?: typeof globalThis.fetch
  retry?: RetryOptions
  reveal?: boolean | RevealOptions
  render?: (text: string, status: StreamStatus) => ReactNode
  title?: string
}

/** One question, one streamed answer: the smallest real use of the hook and the component. */
export function LiveAnswer({
  model,
  prompt,
  input,
  endpoint = '/api/predictions',
  fetch,
  retry,
  reveal,
  render,
  title = 'Answer',
}: LiveAnswerProps) {
  const { stream, status, connection, attempt, error, start, cancel } = usePredictionStream({
    endpoint,
    model,
    fetch,
    retry,
  })
  const id = useId()
  const streaming = status === 'starting' || status === 'processing'
  return (
    <section aria-labelledby={id} className="rps-card">
      <h2 id={id} style={{ fontSize: 18 }}>
        {title}
      </h2>
      <p className="rps-muted">
        <strong>{model}</strong>: {prompt}
      </p>
      <div className="rps-row">
        <button
          type="button"
          className="rps-primary"
          disabled={streaming}
          onClick={() => void start({ prompt, ...input })}
        >
          Start
        </button>
        <button type="button" disabled={!streaming} onClick={() => void cancel()}>
          Cancel
        </button>
        <p className="rps-meta">
          <StatusBadge status={status} />
          <ConnectionText connection={connection} attempt={attempt} />
        </p>
      </div>
      {/* A labelled region, focusable because a long answer scrolls (axe:
          scrollable-region-focusable). */}
      <StreamingText
        data-testid="answer"
        role="region"
        aria-label={`${title}: streamed text`}
        tabIndex={0}
        stream={stream}
        reveal={reveal}
        render={render}
        className="rps-output"
        style={{ maxHeight: 360, overflowY: 'auto' }}
      />
      {error ? (
        <p role="alert" className="rps-error">
          {error.message}
        </p>
      ) : null}
    </section>
  )
}
