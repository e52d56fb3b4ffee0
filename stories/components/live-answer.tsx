import { useId, type CSSProperties, type ReactNode } from 'react'
import {
  StreamingText,
  usePredictionStream,
  type RevealOptions,
  type RetryOptions,
  type StreamStatus,
} from '../../src/index'

export interface LiveAnswerProps {
  model: string
  prompt: string
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
    <section aria-labelledby={id} style={styles.card}>
      <h2 id={id} style={styles.title}>
        {title}
      </h2>
      <p style={styles.prompt}>
        <strong>{model}</strong>: {prompt}
      </p>
      <div style={styles.actions}>
        <button type="button" disabled={streaming} onClick={() => void start({ prompt })}>
          Start
        </button>
        <button type="button" disabled={!streaming} onClick={() => void cancel()}>
          Cancel
        </button>
        <span style={styles.meta}>
          Status: {status} · Connection: {connection}
          {attempt > 0 ? ` · Attempt: ${attempt}` : ''}
        </span>
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
        style={styles.answer}
      />
      {error ? (
        <p role="alert" style={styles.error}>
          {error.message}
        </p>
      ) : null}
    </section>
  )
}

const styles = {
  card: {
    maxWidth: 720,
    margin: '0 auto 16px',
    padding: 16,
    border: '1px solid #d0d7de',
    borderRadius: 8,
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    color: '#1f2328',
    background: '#ffffff',
  },
  title: { fontSize: 18, margin: '0 0 8px' },
  prompt: { margin: '0 0 12px', color: '#424a53' },
  actions: { display: 'flex', gap: 8, alignItems: 'center', marginBottom: 12 },
  meta: { marginLeft: 'auto', color: '#424a53', fontSize: 14 },
  answer: { lineHeight: 1.5, maxHeight: 360, overflowY: 'auto' },
  error: { color: '#a40e26', margin: '8px 0 0' },
} satisfies Record<string, CSSProperties>
